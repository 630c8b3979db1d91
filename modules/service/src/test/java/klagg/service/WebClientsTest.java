package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.binance.connector.client.impl.SpotClientImpl;
import com.binance.connector.client.impl.WebSocketStreamClientImpl;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import klagg.core.Interval;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real clients against a running klagg: Binance's Java connector, and the dashboard in Chromium. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class WebClientsTest {
  static WebFixture fx;
  static JsonArray symbols;
  static MessageConsumer<JsonObject> history;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    fx = new WebFixture(vertx);
    fx.start(WebFixture.config(12)).compose(f -> fx.get("/api/v3/exchangeInfo")).onComplete(ctx.succeeding(r -> {
      symbols = r.json().getJsonArray("symbols");
      history = fx.installHistory();
      history.completion().onComplete(ctx.succeedingThenComplete());
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    history.unregister().compose(v -> fx.stop()).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * The Chromium the dashboard test drives (never a downloaded browser): {@code CHROME_PATH} if set, else the
   * first of {@code chromium}, {@code chromium-browser}, {@code google-chrome} on the PATH. None: the test
   * fails and says how to get one (it is never skipped).
   */
  static Path chromium() {
    String env = System.getenv("CHROME_PATH");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env);
      assertThat(Files.isRegularFile(p) && Files.isExecutable(p))
          .as("CHROME_PATH=%s is not an executable file (unset it to use chromium from the PATH)", env).isTrue();
      return p;
    }
    return findOnPath(System.getenv("PATH"), "chromium", "chromium-browser", "google-chrome").orElseThrow(
        () -> new AssertionError("the dashboard test needs Chromium and found none: no chromium, chromium-browser or"
            + " google-chrome on the PATH (" + System.getenv("PATH") + ") and CHROME_PATH is not set. Install"
            + " Debian's: apt-get install chromium (as root), or set CHROME_PATH to a Chromium or Chrome binary."));
  }

  static Optional<Path> findOnPath(String path, String... names) {
    if (path == null) {
      return Optional.empty();
    }
    for (String name : names) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Paths.get(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void chromiumIsLookedUpOnThePath(@TempDir Path tmp) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path chrome = Files.createFile(bin.resolve("google-chrome"));
    assertThat(findOnPath(tmp + File.pathSeparator + bin, "chromium", "chromium-browser", "google-chrome"))
        .as("not executable yet").isEmpty();
    assertThat(chrome.toFile().setExecutable(true)).isTrue();
    assertThat(findOnPath(tmp + File.pathSeparator + bin, "chromium", "chromium-browser", "google-chrome"))
        .contains(chrome);
    assertThat(findOnPath(null, "chromium")).isEmpty();
  }

  static String symbol(int i) {
    return symbols.getJsonObject(i).getString("symbol");
  }

  @Test
  void binanceConnectorJavaReadsKlinesAndStreams() throws Exception {
    String sym = symbol(0);
    String base = "http://127.0.0.1:" + fx.port();
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("symbol", sym);
    params.put("interval", "15m");
    params.put("limit", 12);
    String body = new SpotClientImpl(base).createMarket().klines(params);
    JsonArray ours = new JsonArray(body);
    long now = fx.harness.serverNow();
    JsonArray theirs = fx.exchangeKlines(sym, Interval.M15, null, ours.getJsonArray(11).getLong(0), 12);
    assertThat(ours).hasSize(12);
    for (int i = 0; i < 11; i++) {
      assertThat(ours.getJsonArray(i)).isEqualTo(theirs.getJsonArray(i));
    }
    assertThat(ours.getJsonArray(11).getLong(0)).isEqualTo(Interval.M15.openOf(now));

    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    WebSocketStreamClientImpl ws = new WebSocketStreamClientImpl("ws://127.0.0.1:" + fx.port());
    // closeAllConnections() would shut down the connector's shared OkHttp dispatcher for every later
    // client in this JVM: close this connection only
    int conn = ws.klineStream(sym.toLowerCase(), "1m", events::add);
    try {
      String first = events.poll(30, TimeUnit.SECONDS);
      assertThat(first).as("a kline event through the connector").isNotNull();
      JsonObject e = new JsonObject(first);
      assertThat(e.getString("e")).isEqualTo("kline");
      assertThat(e.getString("s")).isEqualTo(sym);
      assertThat(e.getJsonObject("k").getString("i")).isEqualTo("1m");
      assertThat(e.getJsonObject("k").getLong("t")).isEqualTo(Interval.M1.openOf(fx.harness.serverNow()));
    } finally {
      ws.closeConnection(conn);
    }
  }

  /** The connector's uiKlines with timeZone 0, and its combined streams ({@code /stream?streams=...}). */
  @Test
  void binanceConnectorJavaUiKlinesAndCombinedStreams() throws Exception {
    String sym = symbol(1);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("symbol", sym);
    params.put("interval", "1m");
    params.put("limit", 2);
    params.put("timeZone", "0");
    JsonArray ui = new JsonArray(new SpotClientImpl("http://127.0.0.1:" + fx.port()).createMarket().uiKlines(params));
    assertThat(ui).isNotEmpty();
    long open = Interval.M1.openOf(fx.harness.serverNow());
    assertThat(ui.getJsonArray(ui.size() - 1).getLong(0)).isBetween(open - 60_000, open);
    assertThat(ui.getJsonArray(0)).hasSize(12);

    LinkedBlockingQueue<String> combined = new LinkedBlockingQueue<>();
    WebSocketStreamClientImpl ws = new WebSocketStreamClientImpl("ws://127.0.0.1:" + fx.port());
    String name = sym.toLowerCase() + "@kline_1m";
    int conn = ws.combineStreams(new java.util.ArrayList<>(List.of(name)), combined::add);
    try {
      String c = combined.poll(30, TimeUnit.SECONDS);
      assertThat(c).as("a combined kline event through the connector").isNotNull();
      assertThat(new JsonObject(c).getString("stream")).isEqualTo(name);
      assertThat(new JsonObject(c).getJsonObject("data").getString("e")).isEqualTo("kline");
      assertThat(new JsonObject(c).getJsonObject("data").getString("s")).isEqualTo(sym);
    } finally {
      ws.closeConnection(conn);
    }
  }

  @Test
  void dashboardShowsLiveCandlesSwitchesAndSystemFigures() throws Exception {
    var bus = fx.vertx.eventBus();
    // stand-ins for the database and backfill components, so the panel shows their figures
    long[] flushed = {0};
    MessageConsumer<JsonObject> db = bus.consumer(Addresses.STATUS_PERSISTENCE, m -> m.reply(new JsonObject()
        .put("connected", true).put("buffered", 37).put("flushedRows", flushed[0] += 420)));
    MessageConsumer<JsonObject> backfill = bus.consumer(Addresses.STATUS_BACKFILL, m -> m.reply(new JsonObject()
        .put("running", true).put("done", 31).put("total", 48).put("symbol", symbol(3))));
    db.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    backfill.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    Path chromium = chromium(); // fails, saying how to install it, when there is none
    try (Playwright pw = Playwright.create()) {
      Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)
          .setExecutablePath(chromium)
          .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run")));
      Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1440, 860));
      String sym = symbol(0);
      page.navigate("http://127.0.0.1:" + fx.port() + "/?symbol=" + sym + "&interval=1m");
      Page.WaitForFunctionOptions wait = new Page.WaitForFunctionOptions().setTimeout(30_000);

      // candles render: 500 from history + live
      page.waitForFunction("() => window.klagg && window.klagg.loads > 0 && window.klagg.bars.length >= 300", null, wait);
      assertThat(page.locator("#chart canvas").count()).isGreaterThan(0);
      assertClosedBarsMatchTheExchange(page, sym, Interval.M1);

      // the last candle changes live
      int live = ((Number) page.evaluate("() => window.klagg.live")).intValue();
      page.waitForFunction("n => window.klagg.live >= n + 2", live, wait);

      // scroll back: older history loads (more than the first page of 500)
      // (scrolling again while nothing older has come, as a user would if a history request failed)
      page.waitForFunction("() => window.klagg.bars.length > 500 || (window.klaggScrollBack(), false)", null,
          new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(1_000));

      // switch interval
      page.click("#intervals button[data-iv='5m']");
      page.waitForFunction("() => window.klagg.interval === '5m' && window.klagg.loads >= 2 && window.klagg.bars.length > 100",
          null, wait);
      assertClosedBarsMatchTheExchange(page, sym, Interval.M5);

      // switch symbol through the search
      String other = symbol(5);
      page.click("#symbol-search");
      page.keyboard().type(other.substring(0, Math.min(4, other.length())));
      page.waitForSelector("#symbol-list li[data-symbol='" + other + "']");
      page.click("#symbol-list li[data-symbol='" + other + "']");
      page.waitForFunction("s => window.klagg.symbol === s && window.klagg.loads >= 3 && window.klagg.bars.length > 100",
          other, wait);
      assertClosedBarsMatchTheExchange(page, other, Interval.M5);
      page.waitForFunction("n => window.klagg.live >= 1", null, wait);

      // the system panel shows live figures
      page.waitForFunction("() => document.querySelector('#s-conn').textContent === '1'"
          + " && document.querySelector('#s-tps').textContent !== '—'"
          + " && document.querySelectorAll('#s-workers .worker').length === 2"
          + " && document.querySelector('#s-db-buf').textContent === '37'"
          + " && document.querySelector('#s-db-rate').textContent !== '—'"
          + " && !document.querySelector('#backfill').hidden"
          + " && document.querySelector('#health-badge').textContent === 'ready'"
          + " && document.querySelector('#s-live').textContent === 'live 12 of 12'"
          + " && document.querySelector('#s-live-banner').hidden"
          + " && document.querySelector('#s-stale').textContent === '0'", null, wait);
      assertThat(page.isVisible("#cur-stale")).as("no stale badge while every worker answers").isFalse();
      assertThat(page.textContent("#backfill-pct")).isEqualTo("64.6%");
      assertThat(Double.parseDouble(page.textContent("#s-tps").replace(",", ""))).isGreaterThan(0);

      // back to 1m for the picture
      page.click("#intervals button[data-iv='1m']");
      page.waitForFunction("() => window.klagg.interval === '1m' && window.klagg.loads >= 4", null, wait);
      page.waitForFunction("n => window.klagg.live >= 1", null, wait);
      Path shot = Paths.get("target", "dashboard.png");
      Files.createDirectories(shot.getParent());
      page.screenshot(new Page.ScreenshotOptions().setPath(shot));
      assertThat(Files.size(shot)).isGreaterThan(20_000);

      // the selected symbol's worker stalls: a stale badge, a stale count and tile, until it answers again
      int shard = klagg.core.SymbolIndex.workerOf(other, 2);
      fx.vertx.eventBus().request(Addresses.workerControl(shard), new JsonObject().put("op", "stall").put("ms", 4_000))
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      page.waitForFunction("w => !document.querySelector('#cur-stale').hidden"
          + " && document.querySelector('#s-stale').textContent !== '0'"
          + " && /stale|open/.test(document.querySelector('#wk-' + w).textContent)", shard, wait);
      assertThat(page.textContent("#cur-stale")).isEqualTo("stale");
      page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "dashboard-stale.png")));
      page.waitForFunction("() => document.querySelector('#cur-stale').hidden"
          + " && document.querySelector('#s-stale').textContent === '0'", null, wait);
      browser.close();
    } finally {
      db.unregister();
      backfill.unregister();
    }
  }

  /** The chart's closed bars (all but the open one) equal the exchange's klines. */
  private static void assertClosedBarsMatchTheExchange(Page page, String sym, Interval iv) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> bars = (List<Map<String, Object>>) page.evaluate(
        "() => window.klagg.bars.slice(-6, -1).map(b => ({t: b.time * 1000, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume}))");
    assertThat(bars).hasSize(5);
    long t0 = ((Number) bars.get(0).get("t")).longValue();
    JsonArray theirs = fx.exchangeKlines(sym, iv, t0, null, 5);
    for (int i = 0; i < 5; i++) {
      Map<String, Object> b = bars.get(i);
      JsonArray r = theirs.getJsonArray(i);
      assertThat(((Number) b.get("t")).longValue()).isEqualTo(r.getLong(0));
      assertThat(((Number) b.get("o")).doubleValue()).isEqualTo(Double.parseDouble(r.getString(1)));
      assertThat(((Number) b.get("h")).doubleValue()).isEqualTo(Double.parseDouble(r.getString(2)));
      assertThat(((Number) b.get("l")).doubleValue()).isEqualTo(Double.parseDouble(r.getString(3)));
      assertThat(((Number) b.get("c")).doubleValue()).isEqualTo(Double.parseDouble(r.getString(4)));
      assertThat(((Number) b.get("v")).doubleValue()).isEqualTo(Double.parseDouble(r.getString(5)));
    }
  }
}
