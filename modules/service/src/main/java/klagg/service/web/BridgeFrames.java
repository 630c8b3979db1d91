package klagg.service.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * What both event-bus bridges are given by a client, checked before the bridge reads it: the bridges
 * read {@code type}, {@code address}, {@code replyAddress} and {@code headers} with casts, so a field
 * of another type ({@code "address":5}) throws inside them and the client never hears back.
 */
final class BridgeFrames {
  private BridgeFrames() {}

  /** Null if a bridge can take this frame body, else the error to answer with. */
  static String check(Buffer body) {
    JsonObject f;
    try {
      f = new JsonObject(body);
    } catch (RuntimeException e) {
      return "invalid_json";
    }
    return check(f);
  }

  /**
   * Null if the bridges can take the frame: the fields they cast have the types they expect, the
   * type is one they know and an address is there where one is needed. Else the error to answer
   * with: {@code invalid_frame}, {@code missing_type}, {@code invalid_type} or {@code missing_address}
   * (the SockJS bridge's own words; answered here, so that every such refusal is counted).
   */
  static String check(JsonObject f) {
    for (String k : new String[] {"type", "address", "replyAddress"}) {
      Object v = f.getValue(k);
      if (v != null && !(v instanceof String)) {
        return "invalid_frame";
      }
    }
    Object h = f.getValue("headers");
    if (h != null && !(h instanceof JsonObject)) {
      return "invalid_frame";
    }
    String type = f.getString("type");
    if (type == null) {
      return "missing_type";
    }
    switch (type) {
      case "ping":
        return null;
      case "send", "publish", "register", "unregister":
        return f.getString("address") == null ? "missing_address" : null;
      default:
        return "invalid_type";
    }
  }
}
