package klagg.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import klagg.service.msg.CycleUpdate;

/** Receives the klines to store. Until the database lands this counts what it would write. */
public final class PersistenceVerticle extends VerticleBase {
  private long rows;

  @Override
  public Future<?> start() {
    FunctionCounter.builder("klagg_persist_rows_received", this, v -> v.rows).register(KlaggMetrics.of(vertx));
    return vertx.eventBus().<CycleUpdate>consumer(Addresses.PERSIST, m -> rows += m.body().rows()).completion();
  }
}
