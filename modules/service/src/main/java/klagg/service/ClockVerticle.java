package klagg.service;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import klagg.core.ClockOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the offset to the exchange's server time (round-trip corrected, refreshed periodically,
 * large jumps logged) and publishes a tick just after every whole minute of server time.
 */
public final class ClockVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ClockVerticle.class);

  private final KlaggConfig config;
  private final AtomicLong offset = new AtomicLong();
  private long tickTimer = -1;
  private long lastTickMinute = Long.MIN_VALUE;
  private boolean synced;

  public ClockVerticle(KlaggConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Gauge.builder("klagg_clock_offset_ms", offset, AtomicLong::get)
        .description("server time minus local time").register(KlaggMetrics.of(vertx));
    vertx.setPeriodic(config.getLong("clock.refreshMs"), id -> sync());
    vertx.eventBus().<JsonObject>consumer(Addresses.CLOCK_NOW, m -> m.reply(tickMessage(false)));
    return sync();
  }

  long serverNow() {
    return System.currentTimeMillis() + offset.get();
  }

  /** Asks the clock for the offset to the exchange's time (server time = local time + offset). */
  public static Future<Long> offset(io.vertx.core.Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(Addresses.CLOCK_NOW, new JsonObject(), new DeliveryOptions().setSendTimeout(10_000))
        .map(m -> m.body().getLong("offset"));
  }

  private Future<Void> sync() {
    return sample(new ClockOffset(), config.getInt("clock.samples"))
        .map(c -> {
          long newOffset = c.offset();
          long jump = Math.abs(newOffset - offset.get());
          if (synced && jump >= config.getLong("clock.jumpLogMs")) {
            log.warn("server time offset jumped by {} ms to {} ms (best round trip {} ms of {})", jump, newOffset,
                c.roundTrip(), c.samples());
          }
          offset.set(newOffset);
          if (!synced || jump > 0) {
            vertx.eventBus().publish(Addresses.TICK, tickMessage(false));
          }
          synced = true;
          schedule();
          return (Void) null;
        })
        .recover(e -> {
          log.warn("server time request failed: {}", e.getMessage());
          if (!synced) {
            return Future.failedFuture("cannot reach the exchange for its server time: " + e.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  /** {@code n} server-time requests one after another into {@code c}; fails only if none answered. */
  private Future<ClockOffset> sample(ClockOffset c, int n) {
    return vertx.eventBus().<JsonObject>request(Addresses.REST_TIME, new JsonObject(),
            new DeliveryOptions().setSendTimeout(10_000))
        .map(m -> {
          JsonObject s = m.body();
          c.add(s.getLong("sent"), s.getLong("serverTime"), s.getLong("received"));
          return c;
        })
        .recover(e -> c.samples() > 0 ? Future.succeededFuture(c) : Future.failedFuture(e))
        .compose(x -> n > 1 ? sample(c, n - 1) : Future.succeededFuture(c));
  }

  private JsonObject tickMessage(boolean boundary) {
    return new JsonObject().put("serverTime", serverNow()).put("offset", offset.get()).put("boundary", boundary);
  }

  /** Next tick: just after the next whole minute of server time not yet ticked (plus the margin). */
  private void schedule() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    long now = serverNow();
    long minute = Math.floorDiv(now, 60_000L);
    long target = (lastTickMinute < minute ? minute : minute + 1) * 60_000L + config.getLong("clock.tickMarginMs");
    tickTimer = vertx.setTimer(Math.max(1, target - now), id -> {
      tickTimer = -1;
      JsonObject tick = tickMessage(true);
      lastTickMinute = Math.floorDiv(tick.getLong("serverTime"), 60_000L);
      vertx.eventBus().publish(Addresses.TICK, tick);
      schedule();
    });
  }
}
