package klagg.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.WeakHashMap;

/** The Micrometer registry of one Vert.x instance (Prometheus; meter names start with {@code klagg_}). */
public final class KlaggMetrics {
  private static final Map<Vertx, PrometheusMeterRegistry> REGISTRIES = new WeakHashMap<>();

  private KlaggMetrics() {}

  public static synchronized PrometheusMeterRegistry prometheus(Vertx vertx) {
    return REGISTRIES.computeIfAbsent(vertx, v -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public static MeterRegistry of(Vertx vertx) {
    return prometheus(vertx);
  }
}
