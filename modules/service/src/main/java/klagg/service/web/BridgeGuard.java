package klagg.service.web;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what event-bus bridge clients (SockJS, TCP) cost the server when they do not read, as
 * {@link StreamHub} does for WebSocket subscribers: while a client's write queue is full its outbound
 * messages wait here, per address only the latest version of the two newest klines (a snapshot: the
 * latest), superseded ones are dropped and counted; when the queue drains they are written. A client
 * behind for longer than {@code stuckClientMs} is closed. Replies to a client's own requests are not
 * held. Owned by the web event loop (bridge events and socket callbacks arrive on it).
 */
final class BridgeGuard {
  private static final Logger log = LoggerFactory.getLogger(BridgeGuard.class);

  static final int SOCKJS = 0;
  static final int TCP = 1;
  static final String[] BRIDGES = {"sockjs", "tcp"};
  static final int CONFLATED = 0;
  static final int CLOSED = 1;
  static final String[] REASONS = {"conflated", "closed"};

  /** One outbound message held for a lagging client: written later, or dropped. */
  interface Held {
    void deliver();

    void discard();
  }

  /** One bridge client. */
  final class Client {
    final int bridge;
    private final BooleanSupplier full;
    private final Runnable close;
    private final Conflation<Held> pending = new Conflation<>();
    private long stuckSince;
    private boolean closed;

    Client(int bridge, BooleanSupplier full, Runnable close) {
      this.bridge = bridge;
      this.full = full;
      this.close = close;
    }

    /** Whether an outbound message must wait (the queue is full, or others wait before it). */
    boolean mustHold() {
      return !closed && (!pending.isEmpty() || full.getAsBoolean());
    }

    /** Holds an outbound message for {@code address} (kline open time, or any constant for a snapshot). */
    void hold(String address, long openTime, Held h) {
      if (closed) {
        h.discard();
        count(CLOSED);
        return;
      }
      Held dropped = pending.put(address, openTime, h);
      if (dropped != null) {
        dropped.discard();
        count(CONFLATED);
      }
      if (stuckSince == 0) {
        stuckSince = System.currentTimeMillis();
        backlogged.add(this);
      }
    }

    /** Writes what waits while the queue has room. */
    void flush() {
      pending.drain(Held::deliver, full);
      if (pending.isEmpty()) {
        stuckSince = 0;
        backlogged.remove(this);
      }
    }

    /** The socket is gone (or being closed): what waits is dropped. */
    void closed() {
      if (closed) {
        return;
      }
      closed = true;
      backlogged.remove(this);
      pending.clear(h -> {
        h.discard();
        count(CLOSED);
      });
    }

    private void count(int reason) {
      dropped[bridge * REASONS.length + reason]++;
    }
  }

  /**
   * The kline open time of an outbound bridge message ({@code body.k.t} of a kline event), or
   * {@link Long#MIN_VALUE} for one without (a snapshot: its latest replaces the last).
   */
  static long openTime(JsonObject message) {
    Object body = message.getValue("body");
    if (body instanceof JsonObject && ((JsonObject) body).getValue("k") instanceof JsonObject) {
      return ((JsonObject) body).getJsonObject("k").getLong("t", Long.MIN_VALUE);
    }
    return Long.MIN_VALUE;
  }

  private final long stuckClientMs;
  private final Set<Client> backlogged = new LinkedHashSet<>();
  private final long[] dropped = new long[BRIDGES.length * REASONS.length];
  private final long[] slowDisconnects = new long[BRIDGES.length];

  BridgeGuard(long stuckClientMs) {
    this.stuckClientMs = stuckClientMs;
  }

  Client client(int bridge, BooleanSupplier writeQueueFull, Runnable close) {
    return new Client(bridge, writeQueueFull, close);
  }

  /** After a cycle and once a second: lets lagging clients catch up, closes those behind too long. */
  void afterCycle() {
    if (backlogged.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Client c : new ArrayList<>(backlogged)) {
      c.flush();
      if (c.stuckSince > 0 && now - c.stuckSince > stuckClientMs) {
        slowDisconnects[c.bridge]++;
        log.info("closing a {} bridge client behind for {} ms", BRIDGES[c.bridge], now - c.stuckSince);
        c.closed();
        c.close.run();
      }
    }
  }

  /** Messages dropped for {@code bridge} by {@code reason} (for the counter). */
  long dropped(int bridge, int reason) {
    return dropped[bridge * REASONS.length + reason];
  }

  long slowDisconnects(int bridge) {
    return slowDisconnects[bridge];
  }

  int backlogged() {
    return backlogged.size();
  }
}
