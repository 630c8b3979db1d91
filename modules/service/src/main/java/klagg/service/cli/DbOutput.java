package klagg.service.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import klagg.core.Kline;
import klagg.core.Replay;
import klagg.service.persist.KlineBuffer;
import klagg.service.persist.KlineStore;
import klagg.service.persist.Migrations;

/**
 * {@code replay --db URL}: the replayed klines upserted into klagg's table, in large batches with two
 * in flight, after migrating the schema, so a fresh install can be seeded from downloaded history.
 */
final class DbOutput {
  static final int BATCH = 5_000;

  private DbOutput() {}

  /** Stores every kline of the replays; returns the number stored. Blocks (command-line use). */
  static long store(String url, String schema, List<Replay> replays, PrintStream err) {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions opts = PgConnectOptions.fromUri(url);
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(opts).using(vertx).build();
      Migrations.migrate(vertx, pool, schema, Migrations.DEFAULT_LOCATION).await();
      KlineStore store = new KlineStore(pool, schema);
      List<KlineBuffer.Batch> batches = new ArrayList<>();
      KlineBuffer.Batch b = KlineBuffer.Batch.of(BATCH);
      for (Replay r : replays) {
        for (Kline k : r.klines()) {
          b.add(new KlineBuffer.Key(r.symbols().name(k.symbol), k.interval, k.openTime), k);
          if (b.size() == BATCH) {
            batches.add(b);
            b = KlineBuffer.Batch.of(BATCH);
          }
        }
      }
      if (b.size() > 0) {
        batches.add(b);
      }
      long stored = 0;
      for (int i = 0; i < batches.size(); i += 2) {
        Future<Integer> first = store.upsert(batches.get(i));
        Future<Integer> second = i + 1 < batches.size() ? store.upsert(batches.get(i + 1)) : Future.succeededFuture(0);
        stored += first.await() + second.await();
      }
      pool.close().await();
      return stored;
    } finally {
      vertx.close().await();
    }
  }
}
