package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * A worker's requests to the exchange facade and its delayed jobs, counted while in flight (the
 * worker's {@code inFlight} status and gauge), and the exchange's clock as the worker knows it.
 */
final class WorkerRest {
  /**
   * The timeout of a seed or a bulk klines request: it waits its turn behind the others within the
   * exchange's weight budget (minutes at 1,000 symbols; a timeout would only queue it again).
   */
  static final long SEED_TIMEOUT_MS = 30 * 60_000L;

  private final Vertx vertx;
  private long offset;
  private int inFlight;

  WorkerRest(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A REST request through the exchange facade. */
  Future<Message<JsonObject>> request(String address, JsonObject body, long timeoutMs) {
    inFlight++;
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
        .onComplete(x -> inFlight--);
  }

  /** Runs {@code job} in {@code ms} (at least 1), counted as in flight until it has run. */
  void later(long ms, Runnable job) {
    inFlight++;
    vertx.setTimer(Math.max(1, ms), id -> {
      inFlight--;
      job.run();
    });
  }

  /** The exchange's time now. */
  long serverNow() {
    return System.currentTimeMillis() + offset;
  }

  void offset(long offset) {
    this.offset = offset;
  }

  long offset() {
    return offset;
  }

  int inFlight() {
    return inFlight;
  }
}
