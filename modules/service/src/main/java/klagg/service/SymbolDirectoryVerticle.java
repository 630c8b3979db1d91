package klagg.service;

import io.micrometer.core.instrument.FunctionCounter;
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
 * a symbol that leaves the list or TRADING for good is closed out, unsubscribed and its id freed. A
 * symbol in BREAK or HALT is paused, not delisted: it stays tracked and subscribed, its worker is told
 * (no flat klines are invented while it is halted) and it resumes on TRADING. An answer that is empty
 * or would remove more than {@code symbols.maxRemoveShare} of the tracked symbols is held until a later
 * one confirms it ({@link SymbolRefresh}); failed refreshes are counted and logged, rate-limited. No
 * worker is special: the worker of a symbol is {@code floorMod(hash(symbol), workers)}.
 */
public final class SymbolDirectoryVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SymbolDirectoryVerticle.class);

  private final KlaggConfig config;
  private final int workers;
  private final SymbolIndex index = new SymbolIndex(256);
  private final Map<String, JsonObject> tracked = new LinkedHashMap<>();
  private final Set<String> halted = new HashSet<>();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 30_000);
  private final SymbolRefresh judge;
  private long lastRefresh;
  private boolean refreshing;
  private boolean confirmTimer;

  public SymbolDirectoryVerticle(KlaggConfig config) {
    this.config = config;
    this.workers = config.workers();
    this.judge = new SymbolRefresh(System::currentTimeMillis, config.getDouble("symbols.maxRemoveShare"),
        config.getLong("symbols.confirmAfterMs"));
  }

  @Override
  public Future<?> start() {
    var reg = KlaggMetrics.of(vertx);
    Gauge.builder("klagg_symbols_tracked", tracked, Map::size).register(reg);
    Gauge.builder("klagg_symbols_halted", halted, Set::size)
        .description("tracked symbols whose trading is paused on the exchange (BREAK, HALT)").register(reg);
    for (SymbolRefresh.Result r : SymbolRefresh.Result.values()) {
      FunctionCounter.builder("klagg_symbols_refresh", judge, j -> j.count(r))
          .description("exchangeInfo refreshes by result (held: suspicious, waits for confirmation)")
          .tags("result", r.tag).register(reg);
    }
    vertx.setPeriodic(config.getLong("symbols.refreshMs"), id -> refresh());
    var bus = vertx.eventBus();
    return Future.join(
        bus.<JsonObject>consumer(Addresses.SYMBOLS_SEEN, m -> refreshSoon()).completion(),
        bus.<JsonObject>consumer(Addresses.SYMBOLS_LIST, this::list).completion(),
        bus.<JsonObject>consumer(Addresses.STATUS_SYMBOLS, m -> m.reply(status())).completion(),
        firstLoad(3));
  }

  private Future<Void> firstLoad(int attempts) {
    return refresh().compose(v -> tracked.isEmpty() && judge.holding()
        ? Future.failedFuture("the exchange's answer was held: " + judge.heldReason()) : Future.<Void>succeededFuture())
        .recover(e -> {
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
          onAnswer(m.body().getJsonArray("symbols"));
          return (Void) null;
        })
        .onFailure(e -> {
          judge.failed();
          rlog.warn("refresh", "exchangeInfo refresh failed (" + judge.count(SymbolRefresh.Result.FAILED)
              + " so far): " + e.getMessage() + "; keeping the " + tracked.size() + " tracked symbols");
        })
        .onComplete(x -> refreshing = false);
  }

  /** One parsed answer: judged first, acted on only if ordinary or confirmed. */
  private void onAnswer(JsonArray all) {
    List<JsonObject> wanted = select(all);
    Set<String> names = new HashSet<>();
    for (JsonObject s : wanted) {
      names.add(s.getString("symbol"));
    }
    int removals = 0;
    for (String sym : tracked.keySet()) {
      if (!names.contains(sym)) {
        removals++;
      }
    }
    SymbolRefresh.Result r = judge.judge(all.size(), tracked.size(), removals);
    switch (r) {
      case HELD -> {
        rlog.warn("held", "exchangeInfo answer held, not acted on: " + judge.heldReason()
            + "; acted on only if a later answer confirms it after " + judge.confirmAfterMs() + " ms");
        if (!confirmTimer) {
          // ask again once the answer can be confirmed, rather than a whole refresh period later
          confirmTimer = true;
          vertx.setTimer(judge.confirmAfterMs() + 1, id -> {
            confirmTimer = false;
            refresh();
          });
        }
      }
      case CONFIRMED -> {
        log.warn("exchangeInfo answer confirmed after {} ms: acting on it ({} of {} tracked symbols go)",
            judge.confirmAfterMs(), removals, tracked.size());
        apply(wanted);
      }
      default -> apply(wanted);
    }
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
      // a paused symbol stays tracked; a new one is taken only when it trades
      boolean keep = "TRADING".equals(s.getString("status")) || paused(s) && tracked.containsKey(sym);
      if (!keep || exclude.contains(sym)) {
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

  /** Trading paused (maintenance, incident), not delisted. */
  static boolean paused(JsonObject s) {
    String st = s.getString("status");
    return "BREAK".equals(st) || "HALT".equals(st);
  }

  private void apply(List<JsonObject> wanted) {
    Set<String> names = new HashSet<>();
    JsonArray subscribe = new JsonArray();
    JsonArray unsubscribe = new JsonArray();
    for (JsonObject s : wanted) {
      String sym = s.getString("symbol");
      names.add(sym);
      JsonObject known = tracked.get(sym);
      if (known != null) {
        boolean pause = paused(s);
        if (pause != halted.contains(sym)) {
          known.put("halted", pause);
          if (pause) {
            halted.add(sym);
            log.info("{} is in {}: trading paused, kept and subscribed, no klines invented while halted", sym,
                s.getString("status"));
          } else {
            halted.remove(sym);
            log.info("{} trades again", sym);
          }
          vertx.eventBus().send(Addresses.workerControl(known.getInteger("worker")),
              new JsonObject().put("op", pause ? "halt" : "unhalt").put("id", known.getInteger("id")));
          vertx.eventBus().publish(Addresses.SYMBOLS_EVENTS, known.copy().put("op", pause ? "halted" : "resumed"));
        }
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
      halted.remove(sym);
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

  private JsonObject status() {
    JsonObject refreshes = new JsonObject();
    for (SymbolRefresh.Result r : SymbolRefresh.Result.values()) {
      refreshes.put(r.tag, judge.count(r));
    }
    return new JsonObject().put("tracked", tracked.size()).put("halted", halted.size())
        .put("haltedSymbols", new JsonArray(new ArrayList<>(halted))).put("holding", judge.holding())
        .put("heldReason", judge.holding() ? judge.heldReason() : null).put("refreshes", refreshes);
  }

  private void list(Message<JsonObject> m) {
    JsonArray a = new JsonArray();
    tracked.values().forEach(a::add);
    m.reply(new JsonObject().put("symbols", a));
  }
}
