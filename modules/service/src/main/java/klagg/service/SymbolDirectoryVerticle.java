package klagg.service;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import klagg.core.SymbolIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The symbol set: from config (include/exclude lists, quote assets, maximum count) and the exchange
 * (exchangeInfo status TRADING, refreshed periodically and at once when the miniTicker shows an
 * unknown symbol). A new symbol gets an id, is added to its worker (which seeds it) and subscribed;
 * a symbol that leaves TRADING is closed out, unsubscribed and its id freed. No worker is special:
 * the worker of a symbol is {@code floorMod(hash(symbol), workers)}.
 */
public final class SymbolDirectoryVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SymbolDirectoryVerticle.class);

  private final KlaggConfig config;
  private final int workers;
  private final SymbolIndex index = new SymbolIndex(256);
  private final Map<String, JsonObject> tracked = new LinkedHashMap<>();
  private long lastRefresh;
  private boolean refreshing;

  public SymbolDirectoryVerticle(KlaggConfig config) {
    this.config = config;
    this.workers = config.workers();
  }

  @Override
  public Future<?> start() {
    Gauge.builder("klagg_symbols_tracked", tracked, Map::size).register(KlaggMetrics.of(vertx));
    vertx.setPeriodic(config.getLong("symbols.refreshMs"), id -> refresh());
    var bus = vertx.eventBus();
    return Future.join(
        bus.<JsonObject>consumer(Addresses.SYMBOLS_SEEN, m -> refreshSoon()).completion(),
        bus.<JsonObject>consumer(Addresses.SYMBOLS_LIST, this::list).completion(),
        firstLoad(3));
  }

  private Future<Void> firstLoad(int attempts) {
    return refresh().recover(e -> {
      if (attempts <= 1) {
        return Future.failedFuture("cannot load the exchange's symbols (exchangeInfo): " + e.getMessage());
      }
      log.warn("exchangeInfo failed ({}); retrying", e.getMessage());
      return Future.<Void>future(p -> vertx.setTimer(1_000, id -> p.complete())).compose(v -> firstLoad(attempts - 1));
    });
  }

  private void refreshSoon() {
    if (System.currentTimeMillis() - lastRefresh > 2_000) {
      refresh();
    }
  }

  private Future<Void> refresh() {
    if (refreshing) {
      return Future.succeededFuture();
    }
    refreshing = true;
    lastRefresh = System.currentTimeMillis();
    return vertx.eventBus().<JsonObject>request(Addresses.REST_EXCHANGE_INFO, new JsonObject(),
            new DeliveryOptions().setSendTimeout(60_000))
        .map(m -> {
          apply(select(m.body().getJsonArray("symbols")));
          return (Void) null;
        })
        .onComplete(x -> refreshing = false);
  }

  /** The symbols to track, in exchange order: TRADING, quote asset, include/exclude, at most max. */
  List<JsonObject> select(JsonArray all) {
    Set<String> include = new HashSet<>(config.list("symbols.include"));
    Set<String> exclude = new HashSet<>(config.list("symbols.exclude"));
    Set<String> quotes = new HashSet<>(config.list("symbols.quoteAssets"));
    long max = config.getLong("symbols.max");
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      JsonObject s = all.getJsonObject(i);
      String sym = s.getString("symbol");
      if (!"TRADING".equals(s.getString("status")) || exclude.contains(sym)) {
        continue;
      }
      if (!include.isEmpty() ? !include.contains(sym) : !quotes.isEmpty() && !quotes.contains(s.getString("quoteAsset"))) {
        continue;
      }
      if (max > 0 && out.size() >= max && !tracked.containsKey(sym)) {
        continue;
      }
      out.add(s);
    }
    return out;
  }

  private void apply(List<JsonObject> wanted) {
    Set<String> names = new HashSet<>();
    JsonArray subscribe = new JsonArray();
    JsonArray unsubscribe = new JsonArray();
    for (JsonObject s : wanted) {
      String sym = s.getString("symbol");
      names.add(sym);
      if (tracked.containsKey(sym)) {
        continue;
      }
      int id = index.add(sym);
      int w = SymbolIndex.workerOf(sym, workers);
      JsonObject entry = new JsonObject().put("id", id).put("symbol", sym).put("worker", w)
          .put("priceScale", s.getInteger("priceScale", 0)).put("qtyScale", s.getInteger("qtyScale", 0))
          .put("tickSize", s.getString("tickSize")).put("stepSize", s.getString("stepSize"))
          .put("baseAsset", s.getString("baseAsset")).put("quoteAsset", s.getString("quoteAsset"));
      tracked.put(sym, entry);
      vertx.eventBus().send(Addresses.workerControl(w), entry.copy().put("op", "add"));
      subscribe.add(new JsonObject().put("id", id).put("symbol", sym));
      vertx.eventBus().publish(Addresses.SYMBOLS_EVENTS, entry.copy().put("op", "added"));
    }
    for (String sym : new ArrayList<>(tracked.keySet())) {
      if (names.contains(sym)) {
        continue;
      }
      JsonObject entry = tracked.remove(sym);
      int id = entry.getInteger("id");
      log.info("{} left TRADING: closing out its klines and unsubscribing", sym);
      vertx.eventBus().send(Addresses.workerControl(entry.getInteger("worker")), new JsonObject().put("op", "remove").put("id", id));
      unsubscribe.add(new JsonObject().put("id", id).put("symbol", sym));
      vertx.eventBus().publish(Addresses.SYMBOLS_EVENTS, entry.copy().put("op", "removed"));
      index.remove(sym);
    }
    if (!unsubscribe.isEmpty()) {
      vertx.eventBus().send(Addresses.INGEST_CONTROL, new JsonObject().put("op", "unsubscribe").put("symbols", unsubscribe));
    }
    if (!subscribe.isEmpty()) {
      log.info("tracking {} new symbols ({} in all)", subscribe.size(), tracked.size());
      vertx.eventBus().send(Addresses.INGEST_CONTROL, new JsonObject().put("op", "subscribe").put("symbols", subscribe));
    }
  }

  private void list(Message<JsonObject> m) {
    JsonArray a = new JsonArray();
    tracked.values().forEach(a::add);
    m.reply(new JsonObject().put("symbols", a));
  }
}
