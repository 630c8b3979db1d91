package klagg.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The Micrometer registry of one Vert.x instance (Prometheus; meter names start with {@code klagg_},
 * plus the JVM's: {@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*}, {@code process_*},
 * {@code system_cpu_*}).
 */
public final class KlaggMetrics {
  private static final Map<Vertx, PrometheusMeterRegistry> REGISTRIES = new WeakHashMap<>();
  /** The Prometheus text format's content type. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private KlaggMetrics() {}

  public static synchronized PrometheusMeterRegistry prometheus(Vertx vertx) {
    return REGISTRIES.computeIfAbsent(vertx, v -> {
      PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(reg);
      JvmGcMetrics gc = new JvmGcMetrics();
      gc.bindTo(reg);
      new JvmThreadMetrics().bindTo(reg);
      new ClassLoaderMetrics().bindTo(reg);
      new ProcessorMetrics().bindTo(reg);
      new UptimeMetrics().bindTo(reg);
      // the GC listener holds the registry: released with the Vert.x instance, and so is the entry
      // (its gauges hold the verticles, which hold the Vert.x instance: a weak key alone stays reachable)
      if (v instanceof io.vertx.core.internal.VertxInternal vi) {
        vi.addCloseHook(p -> {
          gc.close();
          synchronized (KlaggMetrics.class) {
            REGISTRIES.remove(v);
          }
          p.succeed();
        });
      }
      return reg;
    });
  }

  public static MeterRegistry of(Vertx vertx) {
    return prometheus(vertx);
  }

  /** Ends {@code response} with the Prometheus scrape of {@code vertx}'s registry. */
  public static void scrape(Vertx vertx, HttpServerResponse response) {
    response.putHeader("Content-Type", CONTENT_TYPE).end(prometheus(vertx).scrape());
  }
}
