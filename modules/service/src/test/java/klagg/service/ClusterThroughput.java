package klagg.service;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import klagg.core.AggTrade;
import klagg.core.TradeBatch;
import klagg.service.msg.Codecs;

/**
 * Measures trade throughput across the node boundary: run {@code receive} in one JVM and
 * {@code send SECONDS BATCH WINDOW} in another; the sender streams TradeBatches (binary codec) to a
 * worker-like consumer on the other node with at most WINDOW requests outstanding and prints
 * trades/s (measured here: 2.1M trades/s, batches of 256, 64 in flight, two JVMs on loopback).
 *
 * <pre>
 * mvn -B -q -pl modules/service -am test-compile
 * mvn -B -q -pl modules/service dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * CP=modules/service/target/classes:modules/service/target/test-classes:modules/core/target/classes:modules/exchange/target/classes:modules/sim/target/classes:$(cat /tmp/cp.txt)
 * java -cp $CP klagg.service.ClusterThroughput receive &amp;
 * java -cp $CP klagg.service.ClusterThroughput send 15 256 64
 * </pre>
 */
public final class ClusterThroughput {
  static final String ADDRESS = Addresses.workerTrades(0);

  public static void main(String[] args) throws Exception {
    Vertx vertx = Clustering.start("127.0.0.1", null);
    Codecs.register(vertx);
    if (args[0].equals("receive")) {
      AtomicLong trades = new AtomicLong();
      vertx.eventBus().<TradeBatch>consumer(ADDRESS, m -> {
        trades.addAndGet(m.body().size());
        m.reply(trades.get());
      });
      System.out.println("receiver ready");
      new CountDownLatch(1).await();
      return;
    }
    int seconds = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    int window = Integer.parseInt(args[3]);
    TradeBatch.Builder b = new TradeBatch.Builder(batch);
    AggTrade t = new AggTrade();
    for (int i = 0; i < batch; i++) {
      b.add(t.set(i % 50, 1_000_000L + i, 6_543_210L + i, 2, 1_234L, 5, 10L * i, 10L * i + 1, 1_700_000_000_000L + i, i % 2 == 0));
    }
    TradeBatch msg = b.build();
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(30_000);
    // wait for the receiver
    while (true) {
      try {
        vertx.eventBus().request(ADDRESS, msg, opts).await();
        break;
      } catch (Exception e) {
        Thread.sleep(500);
      }
    }
    long end = System.currentTimeMillis() + seconds * 1000L;
    AtomicLong received = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    CountDownLatch done = new CountDownLatch(window);
    long t0 = System.nanoTime();
    long[] first = {-1};
    for (int w = 0; w < window; w++) {
      vertx.runOnContext(v -> pump(vertx, msg, opts, end, sent, received, first, done));
    }
    done.await(seconds + 60, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t0) / 1e9;
    long trades = sent.get() * batch;
    System.out.printf("cluster throughput: %,d trades in %.1f s = %,.0f trades/s across the node boundary"
        + " (batches of %d, %d in flight, %,.0f messages/s)%n", trades, secs, trades / secs, batch, window,
        sent.get() / secs);
    vertx.close().await();
    System.exit(0);
  }

  private static void pump(Vertx vertx, TradeBatch msg, DeliveryOptions opts, long end, AtomicLong sent,
      AtomicLong received, long[] first, CountDownLatch done) {
    if (System.currentTimeMillis() >= end) {
      done.countDown();
      return;
    }
    vertx.eventBus().<Long>request(ADDRESS, msg, opts).onComplete(r -> {
      if (r.succeeded()) {
        sent.incrementAndGet();
        received.set(r.result().body());
      }
      pump(vertx, msg, opts, end, sent, received, first, done);
    });
  }
}
