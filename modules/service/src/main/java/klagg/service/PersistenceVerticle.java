package klagg.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.msg.CycleUpdate;
import klagg.service.persist.EmbeddedDatabase;
import klagg.service.persist.KlineBuffer;
import klagg.service.persist.KlineBuffer.Key;
import klagg.service.persist.KlineStore;
import klagg.service.persist.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores klines in PostgreSQL. Starts the embedded server when {@code db.url} is empty, migrates the
 * schema, then takes the gateway's {@link CycleUpdate}s from {@link Addresses#PERSIST}: rows are named
 * (symbol ids from the directory), coalesced by (symbol, interval, open time) with the last write
 * winning, and flushed every {@code persistence.flushMs} or when {@code persistence.flushRows} closed
 * klines wait, as one UNNEST upsert per batch, at most {@code persistence.maxInFlight} at a time. The database going slow
 * or away never blocks the gateway: rows wait in a bounded buffer and failed batches are retried with
 * jittered exponential backoff; over the bound open klines are dropped first, closed ones last, every
 * drop counted. Answers {@link Addresses#HISTORY_QUERY} and {@link Addresses#HISTORY_LATEST} from the
 * table. On undeploy it writes what it holds (within {@code persistence.stopTimeoutMs}).
 */
public final class PersistenceVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PersistenceVerticle.class);
  private static final int MAX_HISTORY_LIMIT = 1500;

  private final KlaggConfig config;
  private final String migrations;
  private final String schema;
  private final long flushMs;
  /** Rows still to write in the current timed round. */
  private int roundLeft;
  private final int flushRows;
  private final int maxInFlight;
  private final long retryBaseMs;
  private final long retryMaxMs;
  private final long statementTimeoutMs;
  private final long stopTimeoutMs;
  private final RateLimitedLog rateLimited = new RateLimitedLog(log, 10_000);

  private EmbeddedDatabase embedded;
  private Pool pool;
  private KlineStore store;
  private KlineBuffer buffer;
  private final Map<Integer, String> names = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<Meter> gauges = new ArrayList<>();
  private long tickTimer = -1;
  private boolean stopping;

  private long pendingSince;
  private long backoffUntil;
  private int failures;
  private int inFlightBatches;

  private MeterRegistry registry;
  private Counter received;
  /** The newest fencing token seen per worker shard: rows of an older owner are not stored. */
  private final klagg.core.ShardFences fences = new klagg.core.ShardFences(16);
  private Counter written;
  private Counter statements;
  private Counter retries;
  private Counter droppedOpen;
  private Counter droppedClosed;
  private Timer flushTimer;
  private DistributionSummary flushSize;

  public PersistenceVerticle(KlaggConfig config) {
    this(config, Migrations.DEFAULT_LOCATION);
  }

  /** With the migrations of another classpath folder (tests). */
  public PersistenceVerticle(KlaggConfig config, String migrations) {
    this.config = config;
    this.migrations = migrations;
    this.schema = config.getString("db.schema");
    this.flushMs = config.getLong("persistence.flushMs");
    this.flushRows = config.getInt("persistence.flushRows");
    this.maxInFlight = config.getInt("persistence.maxInFlight");
    this.retryBaseMs = config.getLong("persistence.retryBaseMs");
    this.retryMaxMs = config.getLong("persistence.retryMaxMs");
    this.statementTimeoutMs = config.getLong("persistence.statementTimeoutMs");
    this.stopTimeoutMs = config.getLong("persistence.stopTimeoutMs");
  }

  @Override
  public Future<?> start() {
    registerMetrics();
    buffer = new KlineBuffer(config.getInt("persistence.maxBufferRows"), this::dropped);
    return database()
        .compose(url -> connect(url))
        .compose(v -> Migrations.migrate(vertx, pool, schema, migrations))
        .compose(applied -> {
          store = new KlineStore(pool, schema);
          var bus = vertx.eventBus();
          consumers.add(bus.<JsonObject>consumer(Addresses.SYMBOLS_EVENTS, m -> symbolEvent(m.body())));
          consumers.add(bus.<CycleUpdate>localConsumer(Addresses.PERSIST, m -> receive(m.body())));
          consumers.add(bus.<JsonObject>consumer(Addresses.HISTORY_QUERY, this::history));
          consumers.add(bus.<JsonObject>consumer(Addresses.HISTORY_LATEST, this::latest));
          consumers.add(bus.<JsonObject>consumer(Addresses.HISTORY_STATE, this::storedState));
          consumers.add(bus.<JsonObject>consumer(Addresses.STATUS_PERSISTENCE, m -> m.reply(status())));
          tickTimer = vertx.setPeriodic(Math.max(10, Math.min(flushMs / 5, 200)), id -> maybeFlush());
          loadSymbols(0);
          return Future.join(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .recover(e -> closeResources().transform(x -> Future.failedFuture(e)));
  }

  // ---------------------------------------------------------------- database

  /** The URL to use: {@code db.url}, or the embedded server's after starting it. */
  private Future<String> database() {
    String url = config.getString("db.url");
    if (!url.isEmpty()) {
      return Future.succeededFuture(url);
    }
    return EmbeddedDatabase.start(vertx, Path.of(config.getString("db.dataDir")), config.getInt("db.embeddedPort"),
            stopTimeoutMs + 10_000)
        .map(db -> {
          embedded = db;
          return db.url();
        });
  }

  private Future<Void> connect(String url) {
    PgConnectOptions opts;
    try {
      opts = connectOptions(config, url, embedded == null);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new KlaggConfig.ConfigException("db.url is not a valid PostgreSQL URL: " + e.getMessage()));
    }
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.getInt("db.poolSize")).setMaxWaitQueueSize(64))
        .with(new NetClientOptions().setConnectTimeout(5_000).setTcpKeepAlive(true))
        .connectingTo(opts)
        .using(vertx)
        .build();
    String where = opts.getHost() + ":" + opts.getPort() + "/" + opts.getDatabase();
    return awaitConnection(where, System.currentTimeMillis() + config.getLong("db.connectTimeoutMs"), 0);
  }

  /**
   * The connection options of {@code url}: credentials from {@code db.user} / {@code db.password}
   * where an external URL has none (the client's own defaults would be "user" / "pass"), the
   * {@code db.options} as server parameters, {@code application_name=klagg} and a server-side
   * {@code statement_timeout} of {@code persistence.statementTimeoutMs} unless given there.
   */
  static PgConnectOptions connectOptions(KlaggConfig config, String url, boolean external) {
    PgConnectOptions opts = PgConnectOptions.fromUri(url);
    if (external) {
      String authority = url.substring(url.indexOf("://") + 3).split("[/?]", 2)[0];
      int at = authority.lastIndexOf('@');
      if (at < 0) {
        opts.setUser(config.getString("db.user"));
      }
      if (at < 0 || authority.substring(0, at).indexOf(':') < 0) {
        opts.setPassword(config.getString("db.password"));
      }
    }
    Map<String, String> props = new HashMap<>(opts.getProperties());
    props.put("application_name", "klagg");
    config.section("db").getJsonObject("options", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    // the server cancels a statement the client has given up on (a late write could otherwise land
    // after a newer version of the same kline); migrations lift it for themselves
    props.putIfAbsent("statement_timeout", Long.toString(config.getLong("persistence.statementTimeoutMs")));
    opts.setProperties(props);
    return opts;
  }

  /** Retries until the server accepts a connection (it may still be starting); a server error fails at once. */
  private Future<Void> awaitConnection(String where, long deadline, int attempt) {
    return pool.getConnection().compose(c -> c.close()).recover(e -> {
      if (e instanceof PgException || System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new IllegalStateException("cannot connect to PostgreSQL at " + where + ": "
            + e.getMessage(), e));
      }
      if (attempt == 0) {
        log.warn("PostgreSQL at {} not reachable yet ({}); retrying", where, e.getMessage());
      }
      long delay = Math.min(2_000, 250L << Math.min(attempt, 3));
      Promise<Void> p = Promise.promise();
      vertx.setTimer(delay, id -> p.complete());
      return p.future().compose(v -> awaitConnection(where, deadline, attempt + 1));
    });
  }

  private Future<Void> closeResources() {
    Future<Void> f = pool == null ? Future.succeededFuture() : pool.close().recover(e -> Future.succeededFuture());
    return f.compose(v -> embedded == null ? Future.succeededFuture()
        : embedded.stop(vertx).recover(e -> {
          log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
          return Future.succeededFuture();
        })).onComplete(x -> {
          pool = null;
          embedded = null;
          gauges.forEach(registry::remove);
          gauges.clear();
        });
  }

  // ---------------------------------------------------------------- symbols

  private void symbolEvent(JsonObject e) {
    Integer id = e.getInteger("id");
    String symbol = e.getString("symbol");
    if ("added".equals(e.getString("op")) && id != null && symbol != null) {
      names.put(id, symbol);
    }
    // on "removed" the name stays: the symbol's closed-out klines arrive after the event, and a new
    // symbol that reuses the id replaces it when it is added
  }

  /** The directory's table, for symbols added before this verticle started; retried until it answers. */
  private void loadSymbols(int attempt) {
    if (stopping) {
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.SYMBOLS_LIST, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000))
        .onSuccess(m -> {
          JsonArray a = m.body().getJsonArray("symbols", new JsonArray());
          for (int i = 0; i < a.size(); i++) {
            JsonObject s = a.getJsonObject(i);
            if (s.getInteger("id") != null && s.getString("symbol") != null) {
              names.putIfAbsent(s.getInteger("id"), s.getString("symbol"));
            }
          }
          log.debug("symbol table loaded: {} symbols", a.size());
        })
        .onFailure(e -> vertx.setTimer(Math.min(5_000, 250L << Math.min(attempt, 5)), id -> loadSymbols(attempt + 1)));
  }

  // ---------------------------------------------------------------- write path

  private void receive(CycleUpdate u) {
    if (stopping) {
      return;
    }
    long now = System.currentTimeMillis();
    received.increment(u.rows());
    for (KlineDelta d : u.deltas()) {
      if (!fences.admit(d.shard(), d.fence())) {
        // a shard owner that was fenced (a newer one took its shard): its rows must not be stored
        rejectedCounter("fenced").increment(d.size());
        rateLimited.warn("fenced", d.size() + " rows of worker shard " + d.shard() + " under fencing token " + d.fence()
            + " skipped: a newer owner holds token " + fences.newest(d.shard()));
        continue;
      }
      for (int i = 0; i < d.size(); i++) {
        String name = names.get(d.symbol(i));
        if (name == null) {
          reject("unknown_symbol", "row of unknown symbol id " + d.symbol(i) + " skipped");
          continue;
        }
        String bad = invalid(d, i);
        if (bad != null) {
          reject(bad, "bad row skipped (" + bad + "): " + name + " " + d.interval(i).code() + " " + d.openTime(i));
          continue;
        }
        if (buffer.pending() == 0) {
          pendingSince = now;
          roundLeft = 0;
        }
        buffer.put(new Key(name, d.interval(i), d.openTime(i)), d, i);
      }
    }
    if (buffer.pendingClosed() >= flushRows) {
      maybeFlush();
    }
  }

  private static String invalid(KlineDelta d, int i) {
    int ps = d.priceScale(i);
    int qs = d.qtyScale(i);
    if (ps < 0 || qs < 0 || ps + qs > 36) {
      return "bad_scale";
    }
    if (d.openTime(i) < 0 || d.closeTime(i) < d.openTime(i)) {
      return "bad_time";
    }
    if (d.open(i) < 0 || d.high(i) < 0 || d.low(i) < 0 || d.close(i) < 0 || d.volume(i) < 0
        || d.takerBuyVolume(i) < 0 || d.quoteHi(i) < 0 || d.takerBuyQuoteHi(i) < 0 || d.count(i) < 0) {
      return "negative";
    }
    return null;
  }

  private final Map<String, Counter> rejected = new HashMap<>();

  private void reject(String reason, String message) {
    rejectedCounter(reason).increment();
    rateLimited.warn(reason, message);
  }

  private Counter rejectedCounter(String reason) {
    return rejected.computeIfAbsent(reason, r -> Counter.builder("klagg_persist_rows_rejected")
        .description("rows not stored because they are invalid").tag("reason", r).register(registry));
  }

  private void dropped(Key key, Kline row) {
    if (row.closed) {
      droppedClosed.increment();
      log.warn("persistence buffer full: dropped closed kline {}", key);
    } else {
      droppedOpen.increment();
      rateLimited.warn("drop-open", "persistence buffer full: dropping open klines (latest " + key + ")");
    }
  }

  /**
   * Closed klines are written once {@code flushRows} of them wait; everything waiting (open klines
   * too) every {@code flushMs}, as one round of batches. So an open kline, changed every cycle, is
   * written at most once per {@code flushMs}: the database load follows the number of klines, not
   * the cycle rate (at 1,000 symbols x 8 intervals, writing every changed open kline as soon as
   * {@code flushRows} waited was ~80,000 rows/s and most of a core of PostgreSQL).
   */
  private void maybeFlush() {
    long now = System.currentTimeMillis();
    while (inFlightBatches < maxInFlight && now >= backoffUntil && buffer.pending() > 0) {
      if (roundLeft <= 0 && (stopping || now - pendingSince >= flushMs)) {
        roundLeft = buffer.pending(); // what waits now; rows changed meanwhile wait for the next round
        pendingSince = now;
      }
      boolean due = stopping || roundLeft > 0 || buffer.pendingClosed() >= flushRows;
      if (!due) {
        return;
      }
      KlineBuffer.Batch b = buffer.take(flushRows);
      if (b.size() == 0) {
        return; // every waiting key is in flight
      }
      roundLeft -= b.size();
      write(b);
    }
  }

  private void write(KlineBuffer.Batch b) {
    inFlightBatches++;
    statements.increment();
    long t0 = System.nanoTime();
    store.upsert(b).timeout(statementTimeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      inFlightBatches--;
      if (ar.succeeded()) {
        buffer.done(b);
        written.increment(b.size());
        flushTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        flushSize.record(b.size());
        if (failures > 0) {
          log.info("database writes recovered after {} failed attempt(s)", failures);
          failures = 0;
        }
      } else {
        buffer.failed(b);
        retries.increment();
        failures++;
        long cap = Math.min(retryMaxMs, retryBaseMs << Math.min(failures - 1, 20));
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        backoffUntil = System.currentTimeMillis() + delay;
        pendingSince = 0; // these rows are overdue
        rateLimited.warn("flush", "writing " + b.size() + " klines failed (attempt " + failures + ", "
            + buffer.depth() + " rows buffered), retrying in " + delay + " ms: " + ar.cause().getMessage());
        if (!stopping) {
          vertx.setTimer(delay, id -> maybeFlush());
        }
      }
      maybeFlush();
    });
  }

  // ---------------------------------------------------------------- reads

  private void history(Message<JsonObject> m) {
    JsonObject q = m.body() == null ? new JsonObject() : m.body();
    String symbol = q.getString("symbol");
    Interval iv = Interval.find(q.getString("interval"));
    if (symbol == null || symbol.isEmpty()) {
      m.fail(400, "symbol is required");
      return;
    }
    if (iv == null) {
      m.fail(400, "unknown interval '" + q.getString("interval") + "'");
      return;
    }
    Long start;
    Long end;
    long limit;
    int pd;
    int qd;
    try {
      start = optLong(q, "startTime");
      end = optLong(q, "endTime");
      Long l = optLong(q, "limit");
      limit = l == null ? 500 : l;
      Long p = optLong(q, "priceDigits");
      Long qq = optLong(q, "qtyDigits");
      pd = p == null ? -1 : (int) Math.max(0, Math.min(18, p));
      qd = qq == null ? -1 : (int) Math.max(0, Math.min(18, qq));
    } catch (IllegalArgumentException e) {
      m.fail(400, e.getMessage());
      return;
    }
    if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
      m.fail(400, "limit must be 1.." + MAX_HISTORY_LIMIT + ", got " + limit);
      return;
    }
    if (start != null && end != null && start > end) {
      m.fail(400, "startTime must not be after endTime");
      return;
    }
    store.history(symbol, iv.code(), start, end, (int) limit, pd, qd)
        .onSuccess(a -> m.reply(new JsonObject().put("klines", a)))
        .onFailure(e -> m.fail(503, "history unavailable: " + e.getMessage()));
  }

  private static Long optLong(JsonObject q, String key) {
    Object v = q.getValue(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number) {
      return ((Number) v).longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
    }
  }

  /** Health and dashboard: whether writes go through, the buffer, what was written and dropped. */
  private JsonObject status() {
    return new JsonObject().put("ok", failures == 0).put("failures", failures).put("buffered", buffer.depth())
        .put("pendingClosed", buffer.pendingClosed()).put("flushedRows", (long) written.count())
        .put("statements", (long) statements.count()).put("retries", (long) retries.count())
        .put("droppedOpen", (long) droppedOpen.count()).put("droppedClosed", (long) droppedClosed.count());
  }

  /**
   * The stored state of the asked symbols, judged by {@link klagg.service.persist.StoredState}: a
   * worker seeds a symbol from it and asks the exchange only for the trades after its last aggregate
   * id. A corrupted row is an error naming the row; that symbol is seeded from the exchange and its
   * rows are left as they are (the live path overwrites the open ones).
   */
  private void storedState(Message<JsonObject> m) {
    JsonArray a = m.body() == null ? null : m.body().getJsonArray("symbols");
    if (a == null) {
      m.fail(400, "symbols is required");
      return;
    }
    List<String> symbols = new ArrayList<>(a.size());
    for (Object o : a) {
      if (o instanceof String) {
        symbols.add((String) o);
      }
    }
    List<String> ivs = config.intervals().stream().map(Interval::code).toList();
    store.state(symbols, ivs).onSuccess(rows -> {
      JsonObject states = new JsonObject();
      JsonObject unusable = new JsonObject();
      for (var seed : klagg.service.persist.StoredState.judge(symbols, rows, config.intervals()).values()) {
        if (seed.usable()) {
          JsonArray ks = new JsonArray();
          seed.open().forEach(k -> ks.add(ControlJson.exact(k)));
          states.put(seed.symbol(), new JsonObject().put("lastAggId", seed.lastAggId()).put("klines", ks));
        } else {
          unusable.put(seed.symbol(), seed.unusable());
          if (seed.corrupt()) {
            log.error("stored state of {} not used: {} (seeding it from the exchange; nothing deleted)",
                seed.symbol(), seed.unusable());
          }
        }
      }
      if (!unusable.isEmpty()) {
        Map<String, Integer> why = new java.util.TreeMap<>();
        unusable.forEach(e -> why.merge(String.valueOf(e.getValue()).replaceAll("[0-9]+", "N"), 1, Integer::sum));
        log.info("stored state: {} of {} symbols usable; the others are seeded from the exchange: {}", states.size(),
            symbols.size(), why);
      }
      m.reply(new JsonObject().put("states", states).put("unusable", unusable));
    }).onFailure(e -> m.fail(503, "stored state unavailable: " + e.getMessage()));
  }

  private void latest(Message<JsonObject> m) {
    store.latest().onSuccess(a -> m.reply(new JsonObject().put("latest", a)))
        .onFailure(e -> m.fail(503, "latest klines unavailable: " + e.getMessage()));
  }

  // ---------------------------------------------------------------- stop

  @Override
  public Future<?> stop() {
    stopping = true;
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    List<Future<Void>> unregistered = new ArrayList<>();
    for (MessageConsumer<?> c : consumers) {
      if (!c.address().startsWith("klagg.history.")) {
        unregistered.add(c.unregister());
      }
    }
    long deadline = System.currentTimeMillis() + stopTimeoutMs;
    return Future.join(unregistered).transform(x -> drain(deadline)).compose(v -> {
      reportUnwritten();
      return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
    }).transform(x -> closeResources());
  }

  private Future<Void> drain(long deadline) {
    if (buffer == null || store == null) {
      return Future.succeededFuture();
    }
    if (!buffer.isEmpty()) {
      log.info("writing {} buffered klines before stopping", buffer.depth());
    }
    Promise<Void> p = Promise.promise();
    maybeFlush();
    vertx.setPeriodic(10, id -> {
      maybeFlush();
      if ((buffer.isEmpty() && inFlightBatches == 0) || System.currentTimeMillis() >= deadline) {
        vertx.cancelTimer(id);
        p.tryComplete();
      }
    });
    return p.future();
  }

  private void reportUnwritten() {
    if (buffer == null || buffer.isEmpty()) {
      return;
    }
    List<Map.Entry<Key, Kline>> left = buffer.unwritten();
    long closed = left.stream().filter(e -> e.getValue().closed).count();
    log.error("stopping with {} klines not written ({} closed, {} open) after {} ms", left.size(), closed,
        left.size() - closed, stopTimeoutMs);
    StringBuilder sb = new StringBuilder();
    int inLine = 0;
    for (Map.Entry<Key, Kline> e : left) {
      sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(e.getValue().closed ? " (closed)" : " (open)");
      if (++inLine == 50) {
        log.error("not written: {}", sb);
        sb.setLength(0);
        inLine = 0;
      }
    }
    if (sb.length() > 0) {
      log.error("not written: {}", sb);
    }
  }

  // ---------------------------------------------------------------- metrics

  private void registerMetrics() {
    registry = KlaggMetrics.of(vertx);
    received = Counter.builder("klagg_persist_rows_received").description("kline rows received from the gateway")
        .register(registry);
    written = Counter.builder("klagg_persist_rows_written").description("kline rows written by successful upserts")
        .register(registry);
    statements = Counter.builder("klagg_persist_statements").description("upsert statements executed (one per batch)")
        .register(registry);
    retries = Counter.builder("klagg_persist_retries").description("failed batches put back for a retry")
        .register(registry);
    droppedOpen = Counter.builder("klagg_persist_dropped").description("rows dropped because the buffer was full")
        .tag("kind", "open").register(registry);
    droppedClosed = Counter.builder("klagg_persist_dropped").description("rows dropped because the buffer was full")
        .tag("kind", "closed").register(registry);
    flushTimer = Timer.builder("klagg_persist_flush").description("time to write one batch").register(registry);
    flushSize = DistributionSummary.builder("klagg_persist_flush_rows").description("rows per batch").register(registry);
    rejectedCounter("unknown_symbol"); // exported from the start (at 0), so dashboards find it
    gauges.add(Gauge.builder("klagg_persist_buffer_rows", this, v -> v.buffer == null ? 0 : v.buffer.depth())
        .description("rows waiting or in flight").strongReference(true).register(registry));
    gauges.add(Gauge.builder("klagg_persist_buffer_closed_rows", this, v -> v.buffer == null ? 0 : v.buffer.pendingClosed())
        .description("closed klines waiting").strongReference(true).register(registry));
    gauges.add(Gauge.builder("klagg_persist_in_flight", this, v -> v.inFlightBatches)
        .description("batches being written").strongReference(true).register(registry));
  }
}
