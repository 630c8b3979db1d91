package klagg.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the simulator's Binance REST parameters (jqwik): random query strings
 * (random names and values, percent escapes good and bad, extreme numbers) on every endpoint get a
 * 200 with JSON, or a 4xx with Binance's {@code {"code":<negative>,"msg":...}}; never a 5xx and never
 * a dropped connection. Requests go over a raw socket so the bytes on the wire are exactly the
 * generated ones. A failure prints jqwik's {@code seed}; replay with {@code @Property(seed = "...")}.
 */
class RestParamsFuzzTest {
  static Vertx vertx;
  static Simulator sim;
  static String symbol;

  @BeforeContainer
  static void start() {
    vertx = Vertx.vertx();
    SimConfig c = TestSupport.cfg();
    c.weightLimitPerMinute = Integer.MAX_VALUE; // fuzzing is not about the weight limit
    sim = TestSupport.await(Simulator.start(vertx, c));
    symbol = sim.market.symbols().get(0).name;
  }

  @AfterContainer
  static void stop() {
    TestSupport.await(sim.close());
    TestSupport.await(vertx.close());
  }

  static final List<String> ENDPOINTS = List.of("/api/v3/klines", "/fapi/v1/klines", "/api/v3/aggTrades",
      "/fapi/v1/aggTrades", "/api/v3/exchangeInfo", "/fapi/v1/exchangeInfo", "/api/v3/time", "/api/v3/ping");
  static final List<String> NAMES = List.of("symbol", "interval", "startTime", "endTime", "limit", "fromId",
      "timeZone", "symbols");

  /** A value: text of URI-safe characters, percent escapes (valid, invalid, half), extreme numbers. */
  static Arbitrary<String> values() {
    Arbitrary<String> text = Arbitraries.strings()
        .withChars("abcXYZ019-_.~!$'()*,;:@/?+=&%").ofMaxLength(24);
    Arbitrary<String> escape = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 255).map(b -> String.format("%%%02X", b)), // any byte, maybe bad UTF-8
        Arbitraries.of("%", "%2", "%G1", "%zz", "%%", "%-1", "%C3", "%C3%28", "%E2%82", "%ED%A0%80", "%00", "+"));
    Arbitrary<String> number = Arbitraries.oneOf(
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.of("0", "1", "-1", "1000", "1001", "1500", "9223372036854775807", "9223372036854775808",
            "99999999999999999999", "00000000000000000001", "1e3", "0x10", "1.5", "%201", "1%20", ""),
        Arbitraries.longs().between(0, 4_102_444_800_000L).map(String::valueOf));
    Arbitrary<String> known = Arbitraries.of(symbol, symbol.toLowerCase(java.util.Locale.ROOT), "BTCUSDT", "1m",
        "1M", "1w", "3d", "1s", "0m", "+8", "-12:00", "14:01", "[\"" + symbol + "\"]");
    return Arbitraries.oneOf(text, escape, number, known).list().ofMaxSize(3).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of(NAMES), values());
    Arbitrary<String> pair = net.jqwik.api.Combinators.combine(name, values(), Arbitraries.of("=", "", "=="))
        .as((n, v, eq) -> n + eq + v);
    return pair.list().ofMaxSize(6).map(l -> String.join("&", l));
  }

  /** One raw HTTP/1.1 GET; returns the status line's code and the body. */
  static Object[] rawGet(int port, String target) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String resp = all.toString(StandardCharsets.UTF_8);
      assertThat(resp).as("an answer to %s", target).startsWith("HTTP/1.1 ");
      int status = Integer.parseInt(resp.substring(9, 12));
      int head = resp.indexOf("\r\n\r\n");
      String body = head < 0 ? "" : resp.substring(head + 4);
      if (resp.substring(0, Math.max(head, 0)).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        body = unchunk(body);
      }
      return new Object[] {status, body};
    }
  }

  static String unchunk(String body) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int nl = body.indexOf("\r\n", i);
      int n = Integer.parseInt(body.substring(i, nl).trim(), 16);
      if (n == 0) {
        break;
      }
      b.append(body, nl + 2, nl + 2 + n);
      i = nl + 2 + n + 2;
    }
    return b.toString();
  }

  /** 200 with JSON, or 4xx with a Binance error; never 5xx. */
  static void assertBinanceAnswer(String target, int status, String body) {
    assertThat(status).as("%s -> %s %s", target, status, body).isLessThan(500);
    if (status == 200) {
      assertThat(body.trim()).as(target).matches("(?s)[\\[{].*[\\]}]");
    } else {
      assertThat(status).as("%s -> %s %s", target, status, body).isBetween(400, 499);
      JsonObject o = new JsonObject(body);
      assertThat(o.getValue("code")).as("%s -> %s", target, body).isInstanceOf(Integer.class);
      assertThat(o.getInteger("code")).as("%s -> %s", target, body).isNegative();
      assertThat(o.getString("msg")).as("%s -> %s", target, body).isNotBlank();
    }
  }

  @Property(tries = 300)
  void randomQueryParametersGetJsonOrABinance4xx(@ForAll("queries") String query,
      @ForAll("endpoints") String endpoint) throws IOException {
    String target = endpoint + "?" + query;
    Object[] r = rawGet(sim.port(), target);
    assertBinanceAnswer(target, (int) r[0], (String) r[1]);
  }

  @Provide
  Arbitrary<String> endpoints() {
    return Arbitraries.of(ENDPOINTS);
  }

  @Property(tries = 200)
  void aValidRequestWithOneRandomParameterGetsJsonOrABinance4xx(@ForAll("endpoints") String endpoint,
      @ForAll("names") String name, @ForAll("value") String value) throws IOException {
    String target = endpoint + "?symbol=" + symbol + "&interval=1m&" + name + "=" + value;
    Object[] r = rawGet(sim.port(), target);
    assertBinanceAnswer(target, (int) r[0], (String) r[1]);
  }

  /** Found by the properties above: a bad percent escape left the request unanswered. */
  @net.jqwik.api.Example
  void aBadPercentEscapeIsABinance400() throws IOException {
    for (String q : List.of("symbol=%", "symbol=" + symbol + "&interval=1m&limit=%G1", "%==", "x=%C")) {
      Object[] r = rawGet(sim.port(), "/api/v3/klines?" + q);
      assertThat(r[0]).as(q).isEqualTo(400);
      assertThat(new JsonObject((String) r[1]).getInteger("code")).isEqualTo(-1100);
    }
  }

  /** Found by the properties above (seed -7160211132886462366): a huge fromId made the simulator search forever. */
  @net.jqwik.api.Example
  void aFromIdPastEveryTradeIsAnEmptyList() throws IOException {
    for (String id : List.of(String.valueOf(Long.MAX_VALUE), "9000000000000000000", "4611686018427387904", "99999999999")) {
      for (String path : List.of("/api/v3/aggTrades", "/fapi/v1/aggTrades")) {
        Object[] r = rawGet(sim.port(), path + "?symbol=" + symbol + "&fromId=" + id);
        assertThat(r[0]).as(path + " fromId=" + id).isEqualTo(200);
        assertThat(new io.vertx.core.json.JsonArray((String) r[1])).as(path + " fromId=" + id).isEmpty();
      }
    }
  }

  /** Found by the properties above (seed 4161727240255578215): a start near Long.MAX_VALUE overflowed (500). */
  @net.jqwik.api.Example
  void aStartTimePastEveryKlineIsAnEmptyList() throws IOException {
    for (String t : List.of("9223372036854720001", String.valueOf(Long.MAX_VALUE), "9000000000000000000")) {
      for (String iv : List.of("1m", "1d", "1w", "1M")) {
        Object[] r = rawGet(sim.port(), "/api/v3/klines?symbol=" + symbol + "&interval=" + iv + "&startTime=" + t);
        assertThat(r[0]).as(iv + " startTime=" + t).isEqualTo(200);
        assertThat(new io.vertx.core.json.JsonArray((String) r[1])).as(iv + " startTime=" + t).isEmpty();
      }
    }
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of(NAMES);
  }

  @Provide
  Arbitrary<String> value() {
    return values();
  }
}
