package klagg.sim;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One client connection of the simulator's WebSocket streams, whatever its transport: what it is
 * subscribed to, Binance's incoming-message rate limit and ping/pong bookkeeping, and a bounded send
 * (a reader whose write queue stays full is dropped, as Binance drops a slow consumer). The transports:
 * {@link VertxConn} (Vert.x's server WebSocket) and {@link RawConn} (served by hand, firehose mode).
 */
abstract class Conn {
  final WsHub hub;
  boolean combined;
  final Set<String> streams = new LinkedHashSet<>();
  final long[] recent;
  int recentPos;
  final long opened = System.currentTimeMillis();
  long lastPing = System.currentTimeMillis();
  long awaitingPongSince;
  boolean closed;
  boolean paused;
  /** since when its write queue is full (0: it is not) */
  long fullSince;

  Conn(WsHub hub, boolean combined) {
    this.hub = hub;
    this.combined = combined;
    this.recent = new long[Math.max(1, hub.cfg.maxIncomingPerSecond)];
    java.util.Arrays.fill(recent, Long.MIN_VALUE / 2);
  }

  abstract void write(String text);

  abstract void ping(String payload);

  abstract void closeTransport(short code, String reason);

  abstract void pauseReading();

  abstract void resumeReading();

  /** Writes what was batched (raw connections). */
  void flush() {
  }

  boolean writeQueueFull() {
    return false;
  }

  /** Whether stream data may be sent yet. */
  boolean ready() {
    return true;
  }

  /** Whether a full write queue drops the connection (else the writer paces itself, as the firehose). */
  boolean dropsWhenFull() {
    return false;
  }

  void send(String text) {
    if (closed || hub.faults.stalled()) {
      return;
    }
    if (dropsWhenFull() && writeQueueFull()) {
      // bounded: what does not fit is not queued (the reader sees an id gap, as after a lost
      // frame); a reader that stays behind for slowConsumerMs is dropped
      long now = System.currentTimeMillis();
      if (fullSince == 0) {
        fullSince = now;
      } else if (now - fullSince >= hub.cfg.slowConsumerMs) {
        hub.slowConsumerCloses.incrementAndGet();
        close((short) 1008, "Slow consumer: write queue full for " + (now - fullSince) + " ms");
        return;
      }
      hub.framesSkipped.incrementAndGet();
      return;
    }
    fullSince = 0;
    write(text);
    hub.framesSent.incrementAndGet();
  }

  void close(short code, String reason) {
    if (!closed) {
      closed = true;
      flush();
      closeTransport(code, reason);
      hub.drop(this);
    }
  }

  /** Counts an incoming message; false if the rate limit is exceeded. */
  boolean countIncoming() {
    long now = System.currentTimeMillis();
    long oldest = recent[recentPos];
    if (now - oldest < 1000) {
      return false;
    }
    recent[recentPos] = now;
    recentPos = (recentPos + 1) % recent.length;
    return true;
  }

  /** Handles one incoming message; returns false if the connection was closed for it. */
  boolean incoming(boolean pong, String text) {
    if (closed) {
      return false;
    }
    if (!countIncoming()) {
      hub.rateLimitCloses.incrementAndGet();
      close((short) 1008, "Too many requests");
      return false;
    }
    if (pong) {
      awaitingPongSince = 0;
    } else if (text != null) {
      hub.requests.answer(this, text);
      flush();
    }
    return true;
  }
}
