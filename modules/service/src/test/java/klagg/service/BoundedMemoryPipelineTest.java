package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker stalled for 30 s while the exchange trades 100k trades/s: ingest's credits keep what is
 * in flight to it under {@code ingest.maxInFlightTrades} (plus at most one batch), it stops reading
 * the exchange (TCP back-pressure) and, once the worker does not acknowledge within the ack timeout,
 * sheds it; the heap stays under a stated bound; afterwards the stalled shard catches up from REST
 * and every closed kline equals the exchange's. With the bound off (a huge limit) the same run held
 * ~950k trades in flight and grew the heap by ~65 MB.
 */
@ExtendWith(VertxExtension.class)
class BoundedMemoryPipelineTest {
  static final int RATE = 100_000;
  static final long STALL_MS = 30_000;
  /**
   * Shorter than the default 10 s: until a stalled worker is shed nobody is read, and at 100k
   * trades/s the simulator (same JVM) queues ~20 MB a second for the paused reader.
   */
  static final long ACK_TIMEOUT_MS = 1_000;
  static final long IN_FLIGHT_LIMIT = Long.getLong("klagg.test.inFlightLimit", 20_000);
  /** Heap growth allowed (live heap after full GCs, test JVM including the simulator). */
  static final long HEAP_BOUND = 45L << 20;

  @Test
  @Timeout(value = 8, timeUnit = TimeUnit.MINUTES)
  void aStalledWorkerCannotGrowTheHeapAndItsKlinesStayExact(Vertx vertx, VertxTestContext ctx) {
    Harness h = new Harness(vertx);
    long wall = System.currentTimeMillis();
    long start = (wall / 60_000L + 1) * 60_000L - 20_000; // server time: 20 s before a minute boundary
    JsonObject conf = Harness.config(start, 40, 29);
    // history from shortly before the start: REST klines (seeds, repairs, the comparison) scan
    // every trade since, at 100k trades/s a day of history would take the simulator hours
    conf.getJsonObject("sim").put("rate", RATE).put("historyStartMs", start - 30_000)
        // the simulator runs in this JVM: its write queue for a paused reader (16 MB by default, on
        // the heap) counts in the growth measured here
        // the shed shard's ~1.3M trades come back by REST: a budget that lets them within the test
        .put("weightLimitPerMinute", 60_000)
        // and it holds what a paused reader does not take as Netty buffers on this heap: 2 MB per
        // connection (frames past it are skipped, a gap the service repairs, as Binance does) rather
        // than the default 16 MB, which with object overhead measured up to ~66 MB of "growth" that was
        // the simulator's, not the service's
        .put("maxWriteQueueBytes", 2 << 20);
    conf.put("exchange", new JsonObject().put("weightLimitPerMinute", 60_000));
    // the shed shard's missed trades by id (exact); past repair.maxTrades a symbol's klines are
    // repaired from REST klines and followed until every interval is final (a week for 1w)
    conf.getJsonObject("repair").put("maxTrades", 5_000_000);
    // room to buffer live trades while a symbol's gap comes from REST: at 100k trades/s the default
    // (200k, two seconds of the stream) drops trades that then need REST too, again and again
    conf.getJsonObject("workers").put("instances", 2).put("maxBufferedTrades", 2_000_000);
    conf.put("ingest", new JsonObject().put("maxInFlightTrades", IN_FLIGHT_LIMIT)
        .put("resumeInFlightTrades", IN_FLIGHT_LIMIT / 4).put("ackTimeoutMs", ACK_TIMEOUT_MS));
    AtomicLong baseline = new AtomicLong();
    AtomicLong peakHeap = new AtomicLong();
    AtomicLong peakCatchUp = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean();
    AtomicLong stallEnd = new AtomicLong();
    JsonObject[] after = new JsonObject[1];
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        long live = liveHeap();
        // the bound is for the stall; what the catch-up from REST holds after it is reported apart
        (System.currentTimeMillis() <= stallEnd.get() ? peakHeap : peakCatchUp).accumulateAndGet(live, Math::max);
        try {
          Thread.sleep(1_000); // sampling cadence of the heap, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    h.start(conf)
        .compose(s -> h.await("symbols seeded", 60_000, () -> h.cycles > 5))
        .compose(v -> h.await("trades flowing", 30_000, () -> ingestTrades(h) > 3L * RATE))
        // every symbol seeded and live: the heap baseline holds no buffered trades
        .compose(v -> h.await("every symbol live", 300_000, () -> allLive(h)))
        .compose(v -> {
          baseline.set(liveHeap());
          stallEnd.set(System.currentTimeMillis() + STALL_MS);
          sampling.set(true);
          sampler.start();
          return vertx.eventBus().request(Addresses.workerControl(0), new JsonObject().put("op", "stall").put("ms", STALL_MS));
        })
        .compose(v -> h.await("worker 0 shed", 20_000, () -> ingestStatus(h).getLong("sheds", 0L) > 0))
        .compose(v -> h.await("the stall over", STALL_MS + 5_000, () -> System.currentTimeMillis() > stallEnd.get()))
        .compose(v -> h.await("worker 0 answers again", 30_000, () -> {
          JsonObject st = ingestStatus(h);
          return st.containsKey("lag") && !st.getJsonArray("lag").getJsonObject(0).getBoolean("shed");
        }))
        .compose(v -> {
          sampling.set(false);
          return vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject());
        })
        .compose(m -> {
          // the bounds first (printed even if the catch-up below does not finish)
          JsonObject st = m.body();
          long growth = peakHeap.get() - baseline.get();
          System.out.printf("bounded memory: peak in flight %d trades / %d batches (limit %d), heap growth %.1f MB "
              + "(bound %d MB; %.1f MB as the catch-up from REST began), pauses %d, paused %d ms, sheds %d, "
              + "shed trades %d%n", st.getLong("inFlightPeak"),
              st.getLong("inFlightPeakBatches"), IN_FLIGHT_LIMIT, growth / 1048576.0, HEAP_BOUND >> 20,
              peakCatchUp.get() == 0 ? 0.0 : (peakCatchUp.get() - baseline.get()) / 1048576.0,
              st.getLong("pauses"), st.getLong("pausedMs"), st.getLong("sheds"), st.getLong("shedTrades"));
          ctx.verify(() -> {
            assertThat(st.getLong("inFlightPeak")).as("peak trades in flight to one worker")
                .isLessThanOrEqualTo(IN_FLIGHT_LIMIT + IngestVerticle.MAX_BATCH);
            assertThat(growth).as("live heap growth during the stall").isLessThanOrEqualTo(HEAP_BOUND);
            assertThat(st.getLong("pauses")).as("times reading was paused").isPositive();
          });
          return h.settled(240_000);
        })
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject()))
        .compose(m -> {
          after[0] = m.body();
          return h.names();
        })
        .onComplete(ctx.succeeding(names -> ctx.verify(() -> {
          JsonObject st = after[0];
          System.out.printf("bounded memory, after the catch-up: sheds %d, shed trades %d, peak in flight %d%n",
              st.getLong("sheds"), st.getLong("shedTrades"), st.getLong("inFlightPeak"));
          assertThat(st.getLong("inFlightPeak")).isLessThanOrEqualTo(IN_FLIGHT_LIMIT + IngestVerticle.MAX_BATCH);
          int compared = h.compareWithExchange(names, h.serverNow() - 5_000);
          assertThat(compared).as("closed klines compared").isGreaterThanOrEqualTo(40);
          ctx.completeNow();
        })));
  }

  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static final AtomicLong TRADES = new AtomicLong();
  private static volatile JsonObject STATUS = new JsonObject();

  /** Polled from the await loop: asks ingest, remembers the last answer. */
  private static JsonObject ingestStatus(Harness h) {
    h.vertx.eventBus().<JsonObject>request(Addresses.STATUS_INGEST, new JsonObject()).onSuccess(m -> {
      STATUS = m.body();
      TRADES.set(m.body().getLong("trades", 0L));
    });
    return STATUS;
  }

  private static final java.util.Map<Integer, Integer> NOT_LIVE = new java.util.concurrent.ConcurrentHashMap<>();

  /** Polled from the await loop: asks both workers, remembers their last answers. */
  private static final java.util.Map<Integer, JsonObject> WORKER_STATUS = new java.util.concurrent.ConcurrentHashMap<>();
  private static long lastPrint = System.currentTimeMillis();

  private static boolean allLive(Harness h) {
    for (int w = 0; w < 2; w++) {
      int worker = w;
      h.vertx.eventBus().<JsonObject>request(Addresses.workerControl(w), new JsonObject().put("op", "status"))
          .onSuccess(m -> {
            NOT_LIVE.put(worker, m.body().getInteger("notLive") + m.body().getInteger("buffered", 0));
            WORKER_STATUS.put(worker, m.body());
          });
    }
    long now = System.currentTimeMillis();
    if (now - lastPrint >= 15_000) {
      // what a slow start waits on, in the log if the wait ends in a timeout
      lastPrint = now;
      WORKER_STATUS.forEach((w, st) -> System.out.println("waiting for every symbol live: worker " + w + " " + st.encode()));
    }
    return NOT_LIVE.size() == 2 && NOT_LIVE.values().stream().allMatch(n -> n == 0);
  }

  private static long ingestTrades(Harness h) {
    ingestStatus(h);
    return TRADES.get();
  }
}
