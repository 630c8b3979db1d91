package klagg.exchange;

import static klagg.exchange.TestSupport.await;
import static klagg.exchange.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import klagg.core.Interval;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BinanceRestClientTest {

  static final String EXCHANGE_INFO = "{\"timezone\":\"UTC\",\"serverTime\":1565246363776,"
      + "\"rateLimits\":[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":6000}],"
      + "\"exchangeFilters\":[],\"symbols\":["
      + "{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\",\"baseAssetPrecision\":8,"
      + "\"quoteAsset\":\"USDT\",\"quotePrecision\":8,\"quoteAssetPrecision\":8,\"orderTypes\":[\"LIMIT\",\"MARKET\"],"
      + "\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\",\"maxPrice\":\"1000000.00000000\","
      + "\"tickSize\":\"0.01000000\"},{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\",\"maxQty\":\"9000.00000000\","
      + "\"stepSize\":\"0.00001000\"},{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\"}]},"
      + "{\"symbol\":\"ETHBTC\",\"status\":\"BREAK\",\"baseAsset\":\"ETH\",\"quoteAsset\":\"BTC\",\"pricePrecision\":5,"
      + "\"quantityPrecision\":3,\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"tickSize\":\"0.00001\"},"
      + "{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"1\"}]}]}";

  static final String KLINES = "[[1499040000000,\"0.01634790\",\"0.80000000\",\"0.01575800\",\"0.01577100\","
      + "\"148976.11427815\",1499644799999,\"2434.19055334\",308,\"1756.87402397\",\"28.46694368\",\"0\"],"
      + "[1499644800000,\"0.01577100\",\"0.01577100\",\"0.01577100\",\"0.01577100\",\"0.00000000\",1500249599999,"
      + "\"0.00000000\",0,\"0.00000000\",\"0.00000000\",\"0\"]]";

  static final String AGG_TRADES = "[{\"a\":26129,\"p\":\"0.01633102\",\"q\":\"4.70443515\",\"f\":27781,"
      + "\"l\":27781,\"T\":1498793709153,\"m\":true,\"M\":true},{\"a\":26130,\"p\":\"104250.01\",\"q\":\"0.00100\","
      + "\"f\":27782,\"l\":27790,\"T\":1498793709200,\"m\":false,\"M\":true}]";

  /** A request as the test server saw it: path, query params and its receive time. */
  record Seen(String path, Map<String, String> params, long at) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private BinanceRestClient client;

  private ExchangeEndpoints start(Vertx vertx, Consumer<HttpServerRequest> handler) {
    server = await(vertx.createHttpServer().requestHandler(req -> {
      Map<String, String> params = new HashMap<>();
      req.params().forEach(e -> params.put(e.getKey(), e.getValue()));
      seen.add(new Seen(req.path(), params, System.currentTimeMillis()));
      handler.accept(req);
    }).listen(0, "127.0.0.1"));
    return ExchangeEndpoints.sim("http://127.0.0.1:" + server.actualPort());
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      await(client.close());
    }
    if (server != null) {
      await(server.close());
    }
  }

  private static void json(HttpServerRequest req, int status, String body, int usedWeight) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("X-MBX-USED-WEIGHT-1m", Integer.toString(usedWeight)).end(body);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void parsesRealPayloadsAndTracksWeight(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger weight = new AtomicInteger();
    ExchangeEndpoints ep = start(vertx, req -> {
      switch (req.path()) {
        case "/api/v3/time":
          json(req, 200, "{\"serverTime\":1700000000123}", weight.addAndGet(1));
          break;
        case "/api/v3/exchangeInfo":
          json(req, 200, EXCHANGE_INFO, weight.addAndGet(20));
          break;
        case "/api/v3/klines":
          json(req, 200, KLINES, weight.addAndGet(2));
          break;
        case "/api/v3/aggTrades":
          json(req, 200, AGG_TRADES, weight.addAndGet(4));
          break;
        default:
          json(req, 404, "{\"code\":-1,\"msg\":\"nope\"}", weight.get());
      }
    });
    client = new BinanceRestClient(vertx, ep);
    assertThat(client.weightBudget()).isEqualTo(4800);
    long before = System.currentTimeMillis();
    client.timeSample()
        .compose(ts -> {
          ctx.verify(() -> {
            assertThat(ts.serverTime()).isEqualTo(1700000000123L);
            assertThat(ts.localSend()).isBetween(before, ts.localReceive());
            assertThat(ts.roundTrip()).isGreaterThanOrEqualTo(0);
            assertThat(client.usedWeight()).isEqualTo(1);
          });
          return client.exchangeInfo();
        })
        .compose(info -> {
          ctx.verify(() -> {
            assertThat(info.serverTime()).isEqualTo(1565246363776L);
            ExchangeInfo.SymbolInfo btc = info.bySymbol().get("BTCUSDT");
            assertThat(btc.status()).isEqualTo("TRADING");
            assertThat(btc.trading()).isTrue();
            assertThat(btc.baseAsset()).isEqualTo("BTC");
            assertThat(btc.quoteAsset()).isEqualTo("USDT");
            assertThat(btc.tickSize()).isEqualTo("0.01000000");
            assertThat(btc.priceScale()).isEqualTo(2);
            assertThat(btc.stepSize()).isEqualTo("0.00001000");
            assertThat(btc.qtyScale()).isEqualTo(5);
            assertThat(btc.pricePrecision()).isNull();
            ExchangeInfo.SymbolInfo eth = info.bySymbol().get("ETHBTC");
            assertThat(eth.trading()).isFalse();
            assertThat(eth.priceScale()).isEqualTo(5);
            assertThat(eth.qtyScale()).isEqualTo(0);
            assertThat(eth.pricePrecision()).isEqualTo(5);
            assertThat(eth.quantityPrecision()).isEqualTo(3);
            assertThat(client.usedWeight()).isEqualTo(21);
          });
          return client.klines("BNBBTC", Interval.W1, 1499040000000L, null, 2);
        })
        .compose(kl -> {
          ctx.verify(() -> {
            assertThat(kl).hasSize(2);
            RestKline k = kl.get(0);
            assertThat(k.openTime).isEqualTo(1499040000000L);
            assertThat(k.open).isEqualTo("0.01634790");
            assertThat(k.openM).isEqualTo(163479L);
            assertThat(k.openScale).isEqualTo(7);
            assertThat(k.highM).isEqualTo(8L);
            assertThat(k.highScale).isEqualTo(1);
            assertThat(k.volumeM).isEqualTo(14897611427815L);
            assertThat(k.volumeScale).isEqualTo(8);
            assertThat(k.closeTime).isEqualTo(1499644799999L);
            assertThat(k.quoteVolume).isEqualTo("2434.19055334");
            assertThat(k.trades).isEqualTo(308);
            assertThat(k.takerBuyBaseM).isEqualTo(175687402397L);
            assertThat(k.takerBuyQuoteVolume).isEqualTo("28.46694368");
            assertThat(kl.get(1).volumeM).isZero();
            assertThat(kl.get(1).volumeScale).isZero();
            Seen s = seen.get(seen.size() - 1);
            assertThat(s.params()).containsEntry("symbol", "BNBBTC").containsEntry("interval", "1w")
                .containsEntry("startTime", "1499040000000").containsEntry("limit", "2")
                .doesNotContainKey("endTime");
            assertThat(client.usedWeight()).isEqualTo(23);
          });
          return client.aggTrades("BNBBTC", 26129L, null, null, 5000);
        })
        .onComplete(ctx.succeeding(trades -> ctx.verify(() -> {
          assertThat(trades).hasSize(2);
          RestAggTrade t = trades.get(0);
          assertThat(t.aggId).isEqualTo(26129);
          assertThat(t.price).isEqualTo("0.01633102");
          assertThat(t.priceM).isEqualTo(1633102L);
          assertThat(t.priceScale).isEqualTo(8);
          assertThat(t.qtyM).isEqualTo(470443515L);
          assertThat(t.firstId).isEqualTo(27781);
          assertThat(t.lastId).isEqualTo(27781);
          assertThat(t.time).isEqualTo(1498793709153L);
          assertThat(t.buyerMaker).isTrue();
          RestAggTrade t2 = trades.get(1);
          assertThat(t2.priceM).isEqualTo(10425001L);
          assertThat(t2.priceScale).isEqualTo(2);
          assertThat(t2.qtyM).isEqualTo(1L);
          assertThat(t2.qtyScale).isEqualTo(3);
          assertThat(t2.buyerMaker).isFalse();
          klagg.core.AggTrade core = t2.copyTo(new klagg.core.AggTrade(), 7);
          assertThat(core.symbol).isEqualTo(7);
          assertThat(core.lastId).isEqualTo(27790);
          Seen s = seen.get(seen.size() - 1);
          assertThat(s.params()).containsEntry("fromId", "26129").containsEntry("limit", "1000");
          assertThat(client.usedWeight()).isEqualTo(27);
          assertThat(client.requests()).isEqualTo(4);
          assertThat(client.retries()).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void errorJsonBecomesApiException(Vertx vertx) {
    ExchangeEndpoints ep = start(vertx, req -> json(req, 400, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}", 2));
    client = new BinanceRestClient(vertx, ep);
    Throwable t = awaitFailure(client.klines("NOPE", Interval.M1, null, null, 10), 5000);
    assertThat(t).isInstanceOf(BinanceApiException.class);
    BinanceApiException e = (BinanceApiException) t;
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.code()).isEqualTo(-1121);
    assertThat(e.msg()).isEqualTo("Invalid symbol.");
    assertThat(client.requests()).isEqualTo(1);
    assertThat(client.retries()).isZero();
    assertThat(client.usedWeight()).isEqualTo(2);
  }

  @Test
  @Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
  void honoursRetryAfterOn429(Vertx vertx) {
    AtomicInteger n = new AtomicInteger();
    ExchangeEndpoints ep = start(vertx, req -> {
      if (n.incrementAndGet() == 1) {
        req.response().setStatusCode(429).putHeader("Retry-After", "1")
            .end("{\"code\":-1003,\"msg\":\"Too many requests; current limit is 6000 request weight per 1 MINUTE.\"}");
      } else {
        json(req, 200, "{\"serverTime\":" + n.get() + "}", n.get());
      }
    });
    client = new BinanceRestClient(vertx, ep);
    Future<Long> first = client.serverTime();
    TestSupport.awaitUntil("the 429 to arrive", 5000, () -> client.throttled429() == 1);
    Future<Long> second = client.serverTime(); // made during the pause: must wait too
    await(first, 5000);
    await(second, 5000);
    assertThat(seen).hasSize(3);
    long t429 = seen.get(0).at();
    assertThat(seen.get(1).at() - t429).as("retry waited Retry-After").isGreaterThanOrEqualTo(1000);
    assertThat(seen.get(2).at() - t429).as("others paused too").isGreaterThanOrEqualTo(1000);
    assertThat(client.throttled429()).isEqualTo(1);
    assertThat(client.retries()).isEqualTo(1);
  }

  @Test
  @Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
  void serverErrorsRetriedWithBoundedBackoff(Vertx vertx) {
    AtomicInteger n = new AtomicInteger();
    AtomicInteger failFirst = new AtomicInteger(Integer.MAX_VALUE);
    ExchangeEndpoints ep = start(vertx, req -> {
      if (n.incrementAndGet() <= failFirst.get()) {
        req.response().setStatusCode(503).end("Service Unavailable");
      } else {
        json(req, 200, "{\"serverTime\":42}", 1);
      }
    });
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setMaxRetries(3)
        .setBackoffBaseMs(50).setBackoffMaxMs(200));
    long t0 = System.currentTimeMillis();
    Throwable t = awaitFailure(client.serverTime(), 5000);
    assertThat(t).isInstanceOf(BinanceApiException.class);
    assertThat(((BinanceApiException) t).httpStatus()).isEqualTo(503);
    assertThat(seen).as("1 try + 3 retries, then it gives up").hasSize(4);
    long[] minGap = {25, 50, 100};
    long[] maxGap = {50, 100, 200};
    for (int i = 1; i < 4; i++) {
      long gap = seen.get(i).at() - seen.get(i - 1).at();
      assertThat(gap).as("gap %d", i).isBetween(minGap[i - 1] - 2, maxGap[i - 1] + 300);
    }
    assertThat(System.currentTimeMillis() - t0).isLessThan(3000);
    assertThat(client.serverErrors()).isEqualTo(4);

    // transient: two 503s then success
    seen.clear();
    n.set(0);
    failFirst.set(2);
    assertThat(await(client.serverTime(), 5000)).isEqualTo(42L);
    assertThat(seen).hasSize(3);
  }

  @Test
  @Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
  void banOn418FailsPendingAndStopsSending(Vertx vertx) {
    ExchangeEndpoints ep = start(vertx, req -> req.response().setStatusCode(418).putHeader("Retry-After", "2")
        .end("{\"code\":-1003,\"msg\":\"Way too many requests; IP banned.\"}"));
    // budget 1 per long window: the second request waits in the queue while the first is answered
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setWeightBudget(1).setWeightWindowMs(600_000));
    Future<Long> first = client.serverTime();
    Future<Long> queued = client.serverTime();
    Throwable t1 = awaitFailure(first, 5000);
    Throwable t2 = awaitFailure(queued, 5000);
    assertThat(t1).isInstanceOf(IpBannedException.class);
    assertThat(t2).isInstanceOf(IpBannedException.class).hasMessageContaining("banned");
    IpBannedException ban = (IpBannedException) t1;
    assertThat(ban.httpStatus()).isEqualTo(418);
    assertThat(ban.bannedUntil()).isGreaterThanOrEqualTo(seen.get(0).at() + 2000);
    Throwable t3 = awaitFailure(client.exchangeInfo(), 5000);
    assertThat(t3).isInstanceOf(IpBannedException.class);
    assertThat(seen).as("nothing sent during the ban").hasSize(1);
    assertThat(client.bans418()).isEqualTo(1);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void weightBudgetDelaysRequestsToNextWindow(Vertx vertx) {
    AtomicInteger reported = new AtomicInteger(0);
    ExchangeEndpoints ep = start(vertx,
        req -> json(req, 200, "{\"serverTime\":" + System.currentTimeMillis() + "}", reported.get()));
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setWeightBudget(5).setWeightWindowMs(1000));
    // windows are whole wall-clock seconds and the server bins by arrival: start early in one, so the
    // first five do not arrive in the next second together with the next window's five
    TestSupport.awaitUntil("a fresh window", 3000, () -> System.currentTimeMillis() % 1000 < 300);
    List<Future<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fs.add(client.serverTime());
    }
    await(Future.all(fs), 10_000);
    assertThat(seen).hasSize(12);
    Map<Long, Integer> perWindow = new HashMap<>();
    for (Seen s : seen) {
      perWindow.merge(s.at() / 1000, 1, Integer::sum);
    }
    assertThat(perWindow.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(5));
    assertThat(perWindow.size()).isGreaterThanOrEqualTo(3);
    assertThat(client.budgetDelays()).isPositive();

    // the server's own count (other clients on the IP) also holds us back
    seen.clear();
    reported.set(5);
    TestSupport.awaitUntil("a fresh window", 3000, () -> System.currentTimeMillis() % 1000 < 300);
    await(client.serverTime(), 5000);
    await(client.serverTime(), 5000);
    assertThat(seen.get(1).at() / 1000).as("second request waited for the next window")
        .isGreaterThan(seen.get(0).at() / 1000);
    assertThat(client.usedWeight()).isEqualTo(5);
  }

  /**
   * The exchange counts weight in windows of its own clock: with the server 600 ms ahead, the
   * budget's windows are the server's seconds, learnt from its {@code /time} answers.
   */
  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void weightWindowsFollowTheServersClock(Vertx vertx) {
    long ahead = 600;
    ExchangeEndpoints ep = start(vertx,
        req -> json(req, 200, "{\"serverTime\":" + (System.currentTimeMillis() + ahead) + "}", 1));
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setWeightBudget(4).setWeightWindowMs(1000));
    await(client.serverTime(), 5000); // learns the offset
    long learnt = (System.currentTimeMillis() + ahead) / 1000;
    TestSupport.awaitUntil("early in a later server second", 3000, () -> (System.currentTimeMillis() + ahead) / 1000 > learnt
        && (System.currentTimeMillis() + ahead) % 1000 < 200);
    seen.clear();
    List<Future<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fs.add(client.serverTime());
    }
    await(Future.all(fs), 10_000);
    Map<Long, Integer> perServerSecond = new HashMap<>();
    for (Seen s : seen) {
      perServerSecond.merge((s.at() + ahead) / 1000, 1, Integer::sum);
    }
    // 12 requests, 4 a window: three server seconds (local seconds would split them otherwise)
    assertThat(perServerSecond.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(4));
    assertThat(perServerSecond).hasSize(3);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void bulkRequestsYieldToTheLivePathAndLeaveItAQuarterOfTheBudget(Vertx vertx) {
    ExchangeEndpoints ep = start(vertx, req -> json(req, 200,
        req.path().endsWith("/klines") ? KLINES : "{\"serverTime\":1}", 0));
    // 8 weight per window: bulk klines (weight 2) may use 6 of it
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setWeightBudget(8).setWeightWindowMs(1000));
    TestSupport.awaitUntil("a fresh window", 3000, () -> System.currentTimeMillis() % 1000 < 300);
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fs.add(client.klines("BTCUSDT", Interval.M1, 1_000L * i, null, 500, true)); // a backfill's pages
    }
    fs.add(client.serverTime()); // the live path, after the backlog
    fs.add(client.serverTime());
    await(Future.all(fs), 10_000);
    assertThat(seen).hasSize(8);
    List<String> order = seen.stream().map(x -> x.path().substring(x.path().lastIndexOf('/') + 1)).toList();
    // (sent in that order over a pool of connections, so they may arrive in any order among themselves)
    assertThat(order.subList(0, 5)).as("three bulk pages fill their share, then the live requests go first")
        .containsExactlyInAnyOrder("klines", "klines", "klines", "time", "time");
    Map<Long, Integer> bulkPerWindow = new HashMap<>();
    for (Seen x : seen) {
      if (x.path().endsWith("/klines")) {
        bulkPerWindow.merge(x.at() / 1000, 1, Integer::sum);
      }
    }
    assertThat(bulkPerWindow.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(3));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void heldBulkRequestsWaitUntilReleased(Vertx vertx) {
    ExchangeEndpoints ep = start(vertx, req -> json(req, 200,
        req.path().endsWith("/klines") ? KLINES : "{\"serverTime\":1}", 0));
    client = new BinanceRestClient(vertx, ep, new RestClientOptions());
    client.holdBulk(true); // symbols are being seeded
    Future<?> page = client.klines("BTCUSDT", Interval.M1, 0L, null, 500, true);
    await(client.serverTime(), 5000); // the live path is not held (and the queue was pumped)
    assertThat(seen).extracting(Seen::path).noneMatch(x -> x.endsWith("/klines"));
    assertThat(page.isComplete()).isFalse();
    client.holdBulk(false);
    await(page, 5000);
    assertThat(seen).extracting(Seen::path).anyMatch(x -> x.endsWith("/klines"));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void anUrgentStepOfAnOperationUnderWayGoesBeforeTheQueue(Vertx vertx) {
    ExchangeEndpoints ep = start(vertx, req -> json(req, 200,
        req.path().endsWith("/klines") ? KLINES : "{\"serverTime\":1}", 0));
    client = new BinanceRestClient(vertx, ep, new RestClientOptions().setWeightBudget(4).setWeightWindowMs(1000));
    TestSupport.awaitUntil("a fresh window", 3000, () -> System.currentTimeMillis() % 1000 < 200);
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      fs.add(client.serverTime()); // two windows' worth
    }
    fs.add(client.urgent(() -> client.klines("BTCUSDT", Interval.M1, null, null, 1))); // weight 2
    await(Future.all(fs), 10_000);
    long first = seen.get(0).at() / 1000;
    Seen klines = seen.stream().filter(x -> x.path().endsWith("/klines")).findFirst().orElseThrow();
    assertThat(klines.at() / 1000).as("sent in the second window, ahead of the four time requests queued before it")
        .isEqualTo(first + 1);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void rangeHelpersPage(Vertx vertx) {
    ExchangeEndpoints ep0 = start(vertx, req -> {
      int limit = Integer.parseInt(req.getParam("limit"));
      JsonArray out = new JsonArray();
      if (req.path().endsWith("/klines")) {
        long start = Long.parseLong(req.getParam("startTime"));
        long end = Long.parseLong(req.getParam("endTime"));
        long open = Interval.M1.openOf(start + 59_999);
        for (; open <= end && out.size() < limit; open += 60_000) {
          out.add(new JsonArray().add(open).add("1.0").add("2.0").add("0.5").add("1.5").add("10")
              .add(open + 59_999).add("15").add(3).add("5").add("7.5").add("0"));
        }
      } else {
        long from = Long.parseLong(req.getParam("fromId"));
        for (long a = from; a < from + limit && a <= 1_000; a++) {
          out.add(new JsonObject().put("a", a).put("p", "100.5").put("q", "0.25").put("f", a * 2)
              .put("l", a * 2 + 1).put("T", 1_700_000_000_000L + a).put("m", a % 2 == 0));
        }
      }
      json(req, 200, out.encode(), 1);
    });
    ExchangeEndpoints ep = ExchangeEndpoints.fromJson(ep0.toJson().put("klinesMaxLimit", 10)
        .put("aggTradesMaxLimit", 10));
    client = new BinanceRestClient(vertx, ep);
    long start = 1_700_000_040_000L - (1_700_000_040_000L % 60_000);
    List<RestKline> ks = await(client.klinesRange("BTCUSDT", Interval.M1, start, start + 24 * 60_000L));
    assertThat(ks).hasSize(25);
    for (int i = 0; i < ks.size(); i++) {
      assertThat(ks.get(i).openTime).isEqualTo(start + i * 60_000L);
    }
    assertThat(seen).hasSize(3);

    seen.clear();
    List<RestAggTrade> ts = await(client.aggTradesRange("BTCUSDT", 100, 134));
    assertThat(ts).extracting(t -> t.aggId).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(100, 134).boxed().toList());
    assertThat(seen).hasSize(4);
    assertThat(seen).extracting(s -> s.params().get("fromId")).containsExactly("100", "110", "120", "130");
  }
}
