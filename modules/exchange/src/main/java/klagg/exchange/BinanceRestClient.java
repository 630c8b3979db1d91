package klagg.exchange;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import klagg.core.Decimals;
import klagg.core.Interval;

/**
 * Binance market-data REST client on Vert.x's {@code HttpClient}, weight-aware and polite.
 *
 * <ul>
 *   <li>Every response's {@code X-MBX-USED-WEIGHT-1m} is read and exposed ({@link #usedWeight()}).
 *   <li>A client-side budget (default 80% of the venue's per-minute weight) per window: a request
 *       that would exceed it waits (a Vert.x timer, never blocking) for the next window. The window
 *       count is the larger of what this client sent and what the server reported.
 *   <li>429: every request pauses until {@code Retry-After} (seconds) has passed, then the request is
 *       retried (bounded by {@code maxRetries}).
 *   <li>418: nothing is sent until {@code Retry-After}; the request, every queued one and every new
 *       one meanwhile fail with {@link IpBannedException}.
 *   <li>5xx and transport errors: retried with jittered exponential backoff, bounded.
 *   <li>Other 4xx: {@link BinanceApiException} with the HTTP status and Binance's code and msg.
 * </ul>
 *
 * <p>State lives on the Vert.x context the client was created on; the public methods may be called
 * from anywhere (they hop onto that context). Futures complete on that context.
 */
public final class BinanceRestClient {
  public static final String USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1m";

  /** Parses a 2xx body; gets the local send/receive times for time samples. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(Buffer body, long sentAt, long receivedAt);
  }

  private static final class Call<T> {
    final String label;
    final String url;
    final int weight;
    final Parser<T> parser;
    final Promise<T> promise;
    /** Bulk work (backfill): sent only when nothing else waits, within {@link #BULK_SHARE} of the budget. */
    final boolean bulk;
    int retries;
    long sentWindow;

    Call(String label, String url, int weight, Parser<T> parser, boolean bulk) {
      this.label = label;
      this.url = url;
      this.weight = weight;
      this.parser = parser;
      this.bulk = bulk;
      this.promise = Promise.promise();
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ExchangeEndpoints endpoints;
  private final RestClientOptions options;
  private final HttpClientAgent http;
  private final int budget;

  private final ArrayDeque<Call<?>> queue = new ArrayDeque<>();
  private final ArrayDeque<Call<?>> bulkQueue = new ArrayDeque<>();
  /**
   * Share of the weight budget bulk requests may use in a window: the rest stays for the live path
   * (seeds, gap repairs, the clock), which would otherwise queue behind a backfill for a window.
   */
  static final double BULK_SHARE = 0.75;
  private boolean holdBulk;
  /** Requests submitted while above zero go to the front of the queue (see {@link #urgent}). */
  private int urgentDepth;
  private long pumpTimer = -1;
  private long pumpTimerAt = Long.MAX_VALUE;
  /** the current weight window: a count, and its end on the local clock */
  private long windowNo;
  private long windowEndLocal = Long.MIN_VALUE;
  /** server clock minus local clock, from the {@code /time} answers */
  private long serverOffsetMs;
  private boolean offsetKnown;
  /** round trip of the sample the offset was taken from: half of it bounds the offset's error */
  private long offsetRoundTripMs;
  /** an offset within this of the known one leaves the windows where they are */
  static final long OFFSET_TOLERANCE_MS = 250;
  /** at most this is waited past a window's edge for the offset's uncertainty */
  static final long MAX_EDGE_MARGIN_MS = 100;
  private int windowUsed;
  private long pausedUntil;
  private long bannedUntil;
  private int banCode;
  private String banMsg = "";
  private boolean closed;

  // counters (written on the context, read from anywhere)
  private volatile long requests;
  private volatile long retries;
  private volatile long throttled429;
  private volatile long bans418;
  private volatile long serverErrors;
  private volatile long budgetDelays;
  private volatile int usedWeight = -1;
  private volatile long lastRoundTripMs = -1;

  public BinanceRestClient(Vertx vertx, ExchangeEndpoints endpoints) {
    this(vertx, endpoints, new RestClientOptions());
  }

  public BinanceRestClient(Vertx vertx, ExchangeEndpoints endpoints, RestClientOptions options) {
    options.validate();
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.endpoints = endpoints;
    this.options = options;
    this.budget = options.getWeightBudget() > 0 ? options.getWeightBudget()
        : Math.max(1, (int) Math.floor(endpoints.weightLimitPerMinute() * options.getWeightBudgetFraction()));
    this.http = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) Math.min(Integer.MAX_VALUE,
            options.getRequestTimeoutMs())),
        new PoolOptions().setHttp1MaxSize(options.getMaxPoolSize()));
  }

  // ---- public API ----------------------------------------------------------------------------

  /** Server time, ms. The measured round trip is in {@link #lastRoundTripMs()}. */
  public Future<Long> serverTime() {
    return timeSample().map(TimeSample::serverTime);
  }

  /** Server time with the local send and receive times around it. */
  public Future<TimeSample> timeSample() {
    return submit("time", endpoints.restUrl("time"), endpoints.timeWeight(), (body, sent, recv) -> {
      long st = new JsonObject(body).getLong("serverTime");
      TimeSample sample = new TimeSample(st, sent, recv);
      learnOffset(sample, recv);
      return sample;
    });
  }

  public Future<ExchangeInfo> exchangeInfo() {
    return submit("exchangeInfo", endpoints.restUrl("exchangeInfo"), endpoints.exchangeInfoWeight(),
        (body, s, r) -> parseExchangeInfo(new JsonObject(body)));
  }

  /**
   * One page of klines. {@code startTime}/{@code endTime} may be null; {@code limit} is clamped to
   * 1..the venue's maximum.
   */
  public Future<List<RestKline>> klines(String symbol, Interval iv, Long startTime, Long endTime, int limit) {
    return klines(symbol, iv, startTime, endTime, limit, false);
  }

  /** {@link #klines(String, Interval, Long, Long, int)}; {@code bulk} yields to every other request. */
  public Future<List<RestKline>> klines(String symbol, Interval iv, Long startTime, Long endTime, int limit,
      boolean bulk) {
    int lim = clampLimit(limit, endpoints.klinesMaxLimit());
    StringBuilder q = new StringBuilder(endpoints.restUrl("klines")).append("?symbol=").append(enc(symbol))
        .append("&interval=").append(enc(iv.code()));
    if (startTime != null) {
      q.append("&startTime=").append(startTime);
    }
    if (endTime != null) {
      q.append("&endTime=").append(endTime);
    }
    q.append("&limit=").append(lim);
    return submit("klines " + symbol + " " + iv.code(), q.toString(), endpoints.klinesWeight(lim),
        (body, s, r) -> parseKlines(new JsonArray(body)), bulk);
  }

  /** One page of aggregate trades; any of the Long arguments may be null. */
  public Future<List<RestAggTrade>> aggTrades(String symbol, Long fromId, Long startTime, Long endTime, int limit) {
    int lim = clampLimit(limit, endpoints.aggTradesMaxLimit());
    StringBuilder q = new StringBuilder(endpoints.restUrl("aggTrades")).append("?symbol=").append(enc(symbol));
    if (fromId != null) {
      q.append("&fromId=").append(fromId);
    }
    if (startTime != null) {
      q.append("&startTime=").append(startTime);
    }
    if (endTime != null) {
      q.append("&endTime=").append(endTime);
    }
    q.append("&limit=").append(lim);
    return submit("aggTrades " + symbol, q.toString(), endpoints.aggTradesWeight(),
        (body, s, r) -> parseAggTrades(new JsonArray(body)));
  }

  /** All aggregate trades with {@code fromId <= a <= toIdInclusive}, paging with the maximum limit. */
  public Future<List<RestAggTrade>> aggTradesRange(String symbol, long fromId, long toIdInclusive) {
    List<RestAggTrade> out = new ArrayList<>();
    if (toIdInclusive < fromId) {
      return Future.succeededFuture(out);
    }
    return aggPage(symbol, fromId, toIdInclusive, out);
  }

  private Future<List<RestAggTrade>> aggPage(String symbol, long from, long to, List<RestAggTrade> out) {
    int lim = endpoints.aggTradesMaxLimit();
    return aggTrades(symbol, from, null, null, lim).compose(page -> {
      long last = from - 1;
      for (RestAggTrade t : page) {
        if (t.aggId > to) {
          break;
        }
        if (t.aggId >= from) {
          out.add(t);
        }
        last = Math.max(last, t.aggId);
      }
      boolean more = page.size() >= lim && !page.isEmpty() && page.get(page.size() - 1).aggId < to;
      if (!more) {
        return Future.succeededFuture(out);
      }
      return aggPage(symbol, Math.max(last, page.get(page.size() - 1).aggId) + 1, to, out);
    });
  }

  /** All klines opening in {@code [startTime, endTime]}, paging with the venue's maximum limit. */
  public Future<List<RestKline>> klinesRange(String symbol, Interval iv, long startTime, long endTime) {
    return klinesRange(symbol, iv, startTime, endTime, false);
  }

  /** {@link #klinesRange(String, Interval, long, long)}; {@code bulk} yields to every other request. */
  public Future<List<RestKline>> klinesRange(String symbol, Interval iv, long startTime, long endTime, boolean bulk) {
    List<RestKline> out = new ArrayList<>();
    if (endTime < startTime) {
      return Future.succeededFuture(out);
    }
    return klinePage(symbol, iv, startTime, endTime, out, bulk);
  }

  private Future<List<RestKline>> klinePage(String symbol, Interval iv, long start, long end, List<RestKline> out,
      boolean bulk) {
    int lim = endpoints.klinesMaxLimit();
    return klines(symbol, iv, start, end, lim, bulk).compose(page -> {
      long lastOpen = Long.MIN_VALUE;
      for (RestKline k : page) {
        if (k.openTime >= start && k.openTime <= end
            && (out.isEmpty() || k.openTime > out.get(out.size() - 1).openTime)) {
          out.add(k);
        }
        lastOpen = Math.max(lastOpen, k.openTime);
      }
      if (page.size() < lim || lastOpen >= end || lastOpen < start) {
        return Future.succeededFuture(out);
      }
      return klinePage(symbol, iv, lastOpen + 1, end, out, bulk);
    });
  }

  /** Fails queued requests and closes the HTTP client. */
  public Future<Void> close() {
    Promise<Void> p = Promise.promise();
    onContext(() -> {
      closed = true;
      cancelPumpTimer();
      failAll(new IllegalStateException("BinanceRestClient closed"));
      http.close().onComplete(p);
    });
    return p.future();
  }

  // ---- counters ------------------------------------------------------------------------------

  /** Last {@code X-MBX-USED-WEIGHT-1m} seen, -1 before any. */
  public int usedWeight() {
    return usedWeight;
  }

  /**
   * Weight the client may still send in the current window, less what waits in its queue (call on
   * the client's context).
   */
  public int weightLeft() {
    rollWindow(System.currentTimeMillis());
    int queued = 0;
    for (Call<?> c : queue) {
      queued += c.weight;
    }
    return budget - windowUsed - queued;
  }

  /** Client-side budget per window. */
  public int weightBudget() {
    return budget;
  }

  /** HTTP requests sent (retries included). */
  public long requests() {
    return requests;
  }

  public long retries() {
    return retries;
  }

  public long throttled429() {
    return throttled429;
  }

  public long bans418() {
    return bans418;
  }

  public long serverErrors() {
    return serverErrors;
  }

  /** Times a request waited for the next weight window. */
  public long budgetDelays() {
    return budgetDelays;
  }

  public long lastRoundTripMs() {
    return lastRoundTripMs;
  }

  /** Local epoch ms until which the IP is banned (418), 0 if never. */
  public long bannedUntil() {
    return bannedUntil;
  }

  // ---- machinery -----------------------------------------------------------------------------

  private <T> Future<T> submit(String label, String url, int weight, Parser<T> parser) {
    return submit(label, url, weight, parser, false);
  }

  /**
   * While held, bulk requests wait even when the budget has room (e.g. while symbols are being
   * seeded: going live comes before history).
   */
  public void holdBulk(boolean hold) {
    onContext(() -> {
      boolean was = holdBulk;
      holdBulk = hold;
      if (was && !hold) {
        pump();
      }
    });
  }

  /**
   * Runs {@code request} (on the client's context) with the requests it submits at once placed at
   * the front of the queue: the next step of a multi-request operation already under way (a seed's
   * second request) goes before operations not yet started, so each finishes in a short span and
   * they finish one after another instead of all at the end of a long queue. Later pages of a paged
   * call are queued normally.
   */
  public <T> Future<T> urgent(java.util.function.Supplier<Future<T>> request) {
    if (Vertx.currentContext() != context) {
      io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
      context.runOnContext(v -> urgent(request).onComplete(p));
      return p.future();
    }
    urgentDepth++;
    try {
      return request.get();
    } finally {
      urgentDepth--;
    }
  }

  private <T> Future<T> submit(String label, String url, int weight, Parser<T> parser, boolean bulk) {
    Call<T> call = new Call<>(label, url, weight, parser, bulk);
    boolean front = urgentDepth > 0 && Vertx.currentContext() == context;
    onContext(() -> {
      if (closed) {
        call.promise.fail(new IllegalStateException("BinanceRestClient closed"));
        return;
      }
      if (System.currentTimeMillis() < bannedUntil) {
        call.promise.fail(banned());
        return;
      }
      if (bulk) {
        bulkQueue.addLast(call);
      } else if (front) {
        queue.addFirst(call);
      } else {
        queue.addLast(call);
      }
      pump();
    });
    return call.promise.future();
  }

  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  private void pump() {
    if (closed) {
      return;
    }
    while (!queue.isEmpty() || (!bulkQueue.isEmpty() && !holdBulk)) {
      long now = System.currentTimeMillis();
      if (now < bannedUntil) {
        failAll(banned());
        return;
      }
      if (now < pausedUntil) {
        schedulePump(pausedUntil);
        return;
      }
      rollWindow(now);
      ArrayDeque<Call<?>> from = queue.isEmpty() ? bulkQueue : queue;
      Call<?> call = from.peekFirst();
      long limit = from == bulkQueue ? Math.max(1, (long) (budget * BULK_SHARE)) : budget;
      if (windowUsed > 0 && windowUsed + call.weight > limit) {
        budgetDelays++;
        schedulePump(afterWindowEnd());
        return;
      }
      from.pollFirst();
      windowUsed += call.weight;
      send(call);
    }
  }

  /**
   * The exchange counts weight in windows of its own clock: the budget's windows follow the server
   * time learnt from {@code /time} (a change of offset moves the current window, its use kept).
   */
  private void learnOffset(TimeSample sample, long now) {
    long offset = sample.offset();
    long rtt = Math.max(0, sample.roundTrip());
    // a sample with a shorter round trip is more exact (the first one also paid for the connection);
    // a longer one moves the windows only when the clocks have really moved apart
    if (offsetKnown && rtt >= offsetRoundTripMs && Math.abs(offset - serverOffsetMs) < OFFSET_TOLERANCE_MS) {
      return; // round-trip jitter
    }
    offsetKnown = true;
    serverOffsetMs = offset;
    offsetRoundTripMs = rtt;
    if (windowEndLocal != Long.MIN_VALUE) {
      windowEndLocal = nextServerWindowLocal(now); // the current window ends at the server's next edge, its use kept
    }
  }

  /** Past a window's end by the offset's possible error, so that a request is surely in the next one. */
  private long afterWindowEnd() {
    return windowEndLocal + 1 + Math.min(MAX_EDGE_MARGIN_MS, offsetRoundTripMs / 2);
  }

  /** Local time of the server's next window edge after local time {@code now}. */
  private long nextServerWindowLocal(long now) {
    long w = options.getWeightWindowMs();
    long server = now + serverOffsetMs;
    return server - Math.floorMod(server, w) + w - serverOffsetMs;
  }

  private void rollWindow(long now) {
    if (now >= windowEndLocal) {
      windowNo++;
      windowUsed = 0;
      windowEndLocal = nextServerWindowLocal(now);
    }
  }

  private void schedulePump(long at) {
    if (pumpTimer >= 0 && pumpTimerAt <= at) {
      return;
    }
    cancelPumpTimer();
    long delay = Math.max(1, at - System.currentTimeMillis());
    pumpTimerAt = at;
    pumpTimer = vertx.setTimer(delay, id -> {
      pumpTimer = -1;
      pumpTimerAt = Long.MAX_VALUE;
      pump();
    });
  }

  private void cancelPumpTimer() {
    if (pumpTimer >= 0) {
      vertx.cancelTimer(pumpTimer);
      pumpTimer = -1;
      pumpTimerAt = Long.MAX_VALUE;
    }
  }

  private <T> void send(Call<T> call) {
    requests++;
    call.sentWindow = windowNo;
    long sentAt = System.currentTimeMillis();
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(call.url)
        .setTimeout(options.getRequestTimeoutMs()).putHeader("Accept", "application/json");
    http.request(ro)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> new Object[] {resp, body}))
        .onComplete(ar -> {
          long receivedAt = System.currentTimeMillis();
          if (ar.failed()) {
            retryOrFail(call, null, ar.cause());
            return;
          }
          HttpClientResponse resp = (HttpClientResponse) ar.result()[0];
          Buffer body = (Buffer) ar.result()[1];
          handleResponse(call, resp, body, sentAt, receivedAt);
        });
  }

  private <T> void handleResponse(Call<T> call, HttpClientResponse resp, Buffer body, long sentAt, long receivedAt) {
    int status = resp.statusCode();
    String w = resp.getHeader(USED_WEIGHT_HEADER);
    if (w != null) {
      try {
        int used = Integer.parseInt(w.trim());
        usedWeight = used;
        rollWindow(receivedAt);
        if (call.sentWindow == windowNo && used > windowUsed) {
          windowUsed = used;
        }
      } catch (NumberFormatException ignore) {
        // a malformed header is not worth failing the call for
      }
    }
    if (status >= 200 && status < 300) {
      lastRoundTripMs = receivedAt - sentAt;
      T value;
      try {
        value = call.parser.parse(body, sentAt, receivedAt);
      } catch (RuntimeException e) {
        call.promise.fail(new BinanceApiException(status, 0,
            "malformed " + call.label + " response: " + e + " body: " + snippet(body)));
        pump();
        return;
      }
      call.promise.complete(value);
      pump();
      return;
    }
    BinanceApiException err = apiError(status, body);
    long now = System.currentTimeMillis();
    if (status == 418) {
      bans418++;
      long ban = retryAfterMs(resp, options.getDefault418BanMs());
      bannedUntil = Math.max(bannedUntil, now + ban);
      banCode = err.code();
      banMsg = err.msg();
      cancelPumpTimer();
      call.promise.fail(banned());
      failAll(banned());
      return;
    }
    if (status == 429) {
      throttled429++;
      long def = options.getDefault429WaitMs() > 0 ? options.getDefault429WaitMs()
          : options.getWeightWindowMs() - Math.floorMod(now, options.getWeightWindowMs());
      long wait = retryAfterMs(resp, def);
      pausedUntil = Math.max(pausedUntil, now + wait);
      if (call.retries >= options.getMaxRetries()) {
        call.promise.fail(err);
        pump();
        return;
      }
      call.retries++;
      retries++;
      (call.bulk ? bulkQueue : queue).addFirst(call);
      pump();
      return;
    }
    if (status >= 500) {
      serverErrors++;
      retryOrFail(call, err, err);
      return;
    }
    call.promise.fail(err);
    pump();
  }

  private <T> void retryOrFail(Call<T> call, BinanceApiException err, Throwable cause) {
    if (closed) {
      call.promise.fail(new IllegalStateException("BinanceRestClient closed"));
      return;
    }
    if (call.retries >= options.getMaxRetries()) {
      call.promise.fail(err != null ? err
          : new BinanceApiException(0, 0, call.label + " failed after " + (call.retries + 1)
              + " attempts: " + cause));
      pump();
      return;
    }
    long delay = backoff(call.retries);
    call.retries++;
    retries++;
    vertx.setTimer(delay, id -> {
      if (closed) {
        call.promise.fail(new IllegalStateException("BinanceRestClient closed"));
        return;
      }
      if (System.currentTimeMillis() < bannedUntil) {
        call.promise.fail(banned());
        return;
      }
      (call.bulk ? bulkQueue : queue).addFirst(call);
      pump();
    });
    pump();
  }

  /** Jittered exponential backoff: uniform in [d/2, d], d = min(max, base * 2^attempt). */
  long backoff(int attempt) {
    long d = options.getBackoffBaseMs() << Math.min(attempt, 30);
    if (d <= 0 || d > options.getBackoffMaxMs()) {
      d = options.getBackoffMaxMs();
    }
    return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
  }

  private IpBannedException banned() {
    return new IpBannedException(banCode, banMsg.isEmpty() ? "IP banned" : banMsg, bannedUntil);
  }

  private void failAll(Throwable t) {
    Call<?> c;
    while ((c = queue.pollFirst()) != null || (c = bulkQueue.pollFirst()) != null) {
      c.promise.tryFail(t);
    }
  }

  private static long retryAfterMs(HttpClientResponse resp, long def) {
    String ra = resp.getHeader("Retry-After");
    if (ra != null) {
      try {
        return Math.max(0, Math.round(Double.parseDouble(ra.trim()) * 1000.0));
      } catch (NumberFormatException ignore) {
        // an HTTP date or garbage: use the default
      }
    }
    return Math.max(0, def);
  }

  static BinanceApiException apiError(int status, Buffer body) {
    try {
      JsonObject j = new JsonObject(body);
      Object code = j.getValue("code");
      String msg = j.getString("msg");
      if (code instanceof Number || msg != null) {
        return new BinanceApiException(status, code instanceof Number ? ((Number) code).intValue() : 0,
            msg == null ? "" : msg);
      }
    } catch (RuntimeException ignore) {
      // not JSON
    }
    return new BinanceApiException(status, 0, snippet(body));
  }

  private static String snippet(Buffer body) {
    if (body == null || body.length() == 0) {
      return "(empty body)";
    }
    String s = body.getString(0, Math.min(body.length(), 200), "UTF-8");
    return body.length() > 200 ? s + "..." : s;
  }

  private static int clampLimit(int limit, int max) {
    return Math.max(1, Math.min(limit, max));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- parsers (package-private for tests) --------------------------------------------------

  static ExchangeInfo parseExchangeInfo(JsonObject j) {
    long serverTime = j.getLong("serverTime", 0L);
    JsonArray syms = j.getJsonArray("symbols", new JsonArray());
    List<ExchangeInfo.SymbolInfo> out = new ArrayList<>(syms.size());
    int[] sc = new int[1];
    for (int i = 0; i < syms.size(); i++) {
      JsonObject s = syms.getJsonObject(i);
      String tick = null;
      String step = null;
      JsonArray filters = s.getJsonArray("filters", new JsonArray());
      for (int k = 0; k < filters.size(); k++) {
        JsonObject f = filters.getJsonObject(k);
        String type = f.getString("filterType");
        if ("PRICE_FILTER".equals(type)) {
          tick = f.getString("tickSize");
        } else if ("LOT_SIZE".equals(type)) {
          step = f.getString("stepSize");
        }
      }
      int priceScale = -1;
      int qtyScale = -1;
      if (tick != null) {
        Decimals.parse(tick, sc);
        priceScale = sc[0];
      }
      if (step != null) {
        Decimals.parse(step, sc);
        qtyScale = sc[0];
      }
      out.add(new ExchangeInfo.SymbolInfo(s.getString("symbol"), s.getString("status"),
          s.getString("baseAsset"), s.getString("quoteAsset"), tick, priceScale, step, qtyScale,
          s.getInteger("pricePrecision"), s.getInteger("quantityPrecision")));
    }
    return new ExchangeInfo(serverTime, Collections.unmodifiableList(out));
  }

  static List<RestKline> parseKlines(JsonArray a) {
    List<RestKline> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonArray k = a.getJsonArray(i);
      if (k.size() < 11) {
        throw new IllegalArgumentException("kline " + i + " has " + k.size() + " fields, expected 12");
      }
      out.add(new RestKline(k.getLong(0), k.getString(1), k.getString(2), k.getString(3), k.getString(4),
          k.getString(5), k.getLong(6), k.getString(7), k.getLong(8), k.getString(9), k.getString(10)));
    }
    return out;
  }

  static List<RestAggTrade> parseAggTrades(JsonArray a) {
    List<RestAggTrade> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonObject t = a.getJsonObject(i);
      out.add(new RestAggTrade(req(t, "a"), t.getString("p"), t.getString("q"), req(t, "f"), req(t, "l"),
          req(t, "T"), t.getBoolean("m")));
    }
    return out;
  }

  private static long req(JsonObject o, String k) {
    Long v = o.getLong(k);
    if (v == null) {
      throw new IllegalArgumentException("missing field '" + k + "'");
    }
    return v;
  }
}
