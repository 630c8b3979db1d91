package klagg.sim;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Binance's WebSocket request protocol, on the simulator's connections: {@code SUBSCRIBE},
 * {@code UNSUBSCRIBE}, {@code LIST_SUBSCRIPTIONS}, {@code SET_PROPERTY} and {@code GET_PROPERTY}, with
 * the exchange's checks of a request's shape and its error codes and messages. What a subscription
 * then does (which frames a connection gets) is the {@link WsHub}'s. Runs on the simulator's context.
 */
final class WsRequests {
  private final WsHub hub;

  WsRequests(WsHub hub) {
    this.hub = hub;
  }

  static JsonObject error(int code, String msg, Object id) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("msg", msg)).put("id", id);
  }

  /** Answers one text frame of a connection as Binance does: a result, or an error with its code. */
  void answer(Conn c, String text) {
    JsonObject req;
    try {
      Object v = io.vertx.core.json.Json.decodeValue(text);
      if (!(v instanceof JsonObject o)) {
        c.send(error(2, "Invalid request: expected an object", null).encode());
        return;
      }
      req = o;
    } catch (DecodeException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      c.send(error(3, "Invalid JSON: " + m, null).encode());
      return;
    }
    Object id = req.getValue("id");
    if (id != null && !(id instanceof Number) && !(id instanceof String s && s.matches("[A-Za-z0-9]{1,36}"))) {
      c.send(error(2, "Invalid request: request ID must be an unsigned integer, an alphanumeric string of at most 36 characters, or null", null).encode());
      return;
    }
    if (id instanceof Number n && (n instanceof Double || n instanceof Float)) {
      c.send(error(2, "Invalid request: request ID must be an unsigned integer", null).encode());
      return;
    }
    for (String k : req.fieldNames()) {
      if (!k.equals("method") && !k.equals("params") && !k.equals("id")) {
        c.send(error(2, "Invalid request: unknown field `" + k + "`", id).encode());
        return;
      }
    }
    Object mo = req.getValue("method");
    if (mo == null) {
      c.send(error(2, "Invalid request: missing field `method`", id).encode());
      return;
    }
    if (!(mo instanceof String method)) {
      c.send(error(2, "Invalid request: method name must be a string", id).encode());
      return;
    }
    Object po = req.getValue("params");
    if (po != null && !(po instanceof JsonArray)) {
      c.send(error(2, "Invalid request: params must be an array", id).encode());
      return;
    }
    JsonArray params = po == null ? new JsonArray() : (JsonArray) po;
    switch (method) {
      case "SUBSCRIBE", "UNSUBSCRIBE" -> {
        List<String> names = new ArrayList<>();
        for (Object p : params) {
          if (!(p instanceof String s)) {
            c.send(error(2, "Invalid request: " + method + " params must be strings", id).encode());
            return;
          }
          if (!hub.validStream(s)) {
            c.send(error(2, "Invalid request: invalid stream name `" + s + "`", id).encode());
            return;
          }
          names.add(s);
        }
        if (method.equals("SUBSCRIBE")) {
          Set<String> after = new HashSet<>(c.streams);
          after.addAll(names);
          if (after.size() > hub.cfg.maxStreamsPerConnection) {
            c.send(error(2, "Invalid request: too many streams, at most " + hub.cfg.maxStreamsPerConnection
                + " per connection", id).encode());
            return;
          }
          names.forEach(s -> hub.subscribe(c, s));
        } else {
          names.forEach(s -> hub.unsubscribe(c, s));
        }
        c.send(new JsonObject().put("result", null).put("id", id).encode());
      }
      case "LIST_SUBSCRIPTIONS" -> c.send(new JsonObject().put("result", new JsonArray(new ArrayList<>(c.streams))).put("id", id).encode());
      case "SET_PROPERTY" -> {
        if (params.size() != 2 || !"combined".equals(params.getValue(0))) {
          c.send(error(0, "Unknown property", id).encode());
        } else if (!(params.getValue(1) instanceof Boolean b)) {
          c.send(error(1, "Invalid value type: expected Boolean", id).encode());
        } else {
          c.combined = b;
          c.send(new JsonObject().put("result", null).put("id", id).encode());
        }
      }
      case "GET_PROPERTY" -> {
        if (params.size() != 1 || !"combined".equals(params.getValue(0))) {
          c.send(error(0, "Unknown property", id).encode());
        } else {
          c.send(new JsonObject().put("result", c.combined).put("id", id).encode());
        }
      }
      default -> c.send(error(2, "Invalid request: unknown variant `" + method
          + "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`", id).encode());
    }
  }
}
