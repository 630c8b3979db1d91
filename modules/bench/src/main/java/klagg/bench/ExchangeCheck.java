package klagg.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import klagg.core.Kline;
import klagg.sim.SimMarket;
import klagg.sim.SimTrade;
import klagg.sim.SymbolInfo;

/**
 * The e2e harness's correctness check: the klines the service published against the exchange's
 * (the simulator's REST klines, its independent oracle) and against what the firehose sent, field by
 * field: lost trades and mismatched klines, the first few differences printed.
 */
final class ExchangeCheck {
  private ExchangeCheck() {
  }

  /**
   * Every symbol (silent ones too), every 1m kline with an open time in [{@code from}, {@code to})
   * (closed ones), the last version the gateway published against the simulator's own REST klines
   * (its independent oracle: {@code SimInterval}, {@code TradeSums}), field by field: open, high, low,
   * close, volume, close time, quote volume, count, taker buy volume, taker buy quote volume.
   * {@code until}: per symbol, only klines opening before it (the firehose's trades are not in REST).
   * lost = Σ their count − Σ ours over the compared klines (a kline never published counts whole);
   * mismatched = klines that differ in any field, are missing, or that we published and REST has not.
   * {@code print}: the first five differences are printed.
   */
  static void verifyRest(JsonObject res, String restBase, List<SymbolInfo> infos, Map<String, Kline> ours,
      Map<Integer, String> names, long from, long to, Map<String, Long> until, boolean print) throws Exception {
    Map<String, Integer> ids = new HashMap<>();
    names.forEach((id, n) -> ids.put(n, id));
    Map<Integer, List<Kline>> bySym = new HashMap<>();
    for (Kline k : ours.values()) {
      bySym.computeIfAbsent(k.symbol, x -> new ArrayList<>()).add(k);
    }
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long theirs = 0;
    long mine = 0;
    long compared = 0;
    long mismatched = 0;
    long missing = 0;
    long extra = 0;
    long symbolsCompared = 0;
    int printed = 0;
    for (SymbolInfo si : infos) {
      long end = Math.min(to, until.getOrDefault(si.name, to));
      if (end <= from) {
        continue;
      }
      symbolsCompared++;
      Integer id = ids.get(si.name);
      java.util.Set<Long> restOpens = new java.util.HashSet<>();
      for (Object o : restKlines(http, restBase, si.name, from, end - 1)) {
        JsonArray row = (JsonArray) o;
        long open = num(row, 0).longValue();
        if (open < from || open >= end) {
          continue;
        }
        restOpens.add(open);
        Kline k = id == null ? null : ours.get(id + "|" + open);
        compared++;
        theirs += num(row, 8).longValue();
        String diff = k == null ? "not published" : diff(row, k);
        if (k != null) {
          mine += k.count;
        }
        if (diff != null) {
          mismatched++;
          missing += k == null ? 1 : 0;
          if (print && printed++ < 5) {
            System.out.printf("kline mismatch %s 1m %d: %s; exchange %s%n", si.name, open, diff, row.encode());
          }
        }
      }
      for (Kline k : id == null ? List.<Kline>of() : bySym.getOrDefault(id, List.of())) {
        if (k.openTime >= from && k.openTime < end && !restOpens.contains(k.openTime)) {
          extra++;
          mismatched++;
          mine += k.count;
          if (print && printed++ < 5) {
            System.out.printf("kline mismatch %s 1m %d: published, not in the exchange's klines (n=%d)%n", si.name,
                k.openTime, k.count);
          }
        }
      }
    }
    res.put("lost_trades", theirs - mine).put("compared_klines", compared).put("compared_symbols", symbolsCompared)
        .put("mismatched_klines", mismatched).put("missing_klines", missing).put("extra_klines", extra)
        .put("fills_in_klines", mine).put("fills_in_exchange_klines", theirs);
  }

  private static Number num(JsonArray row, int i) {
    Object v = row.getValue(i);
    return v instanceof Number n ? n : new java.math.BigDecimal(v.toString());
  }

  /** The first field of REST row {@code row} that differs from {@code k}, or null. */
  static String diff(JsonArray row, Kline k) {
    Object[][] fields = {
        {"open", 1, k.openDecimal()}, {"high", 2, k.highDecimal()}, {"low", 3, k.lowDecimal()},
        {"close", 4, k.closeDecimal()}, {"volume", 5, k.volumeDecimal()}, {"closeTime", 6, k.closeTime},
        {"quoteVolume", 7, k.quoteVolumeDecimal()}, {"count", 8, k.count},
        {"takerBuyVolume", 9, k.takerBuyVolumeDecimal()}, {"takerBuyQuoteVolume", 10, k.takerBuyQuoteVolumeDecimal()}};
    for (Object[] f : fields) {
      java.math.BigDecimal theirs = new java.math.BigDecimal(row.getValue((Integer) f[1]).toString());
      java.math.BigDecimal mine = f[2] instanceof java.math.BigDecimal b ? b : java.math.BigDecimal.valueOf((Long) f[2]);
      if (theirs.compareTo(mine) != 0) {
        return f[0] + " " + mine.toPlainString() + " vs exchange " + theirs.toPlainString();
      }
    }
    return null;
  }

  /** The simulator's REST 1m klines of {@code symbol} opening in [from, to], paged by 1,000. */
  static JsonArray restKlines(java.net.http.HttpClient http, String base, String symbol, long from, long to)
      throws Exception {
    JsonArray all = new JsonArray();
    long start = from;
    while (start <= to) {
      var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v3/klines?symbol=" + symbol
          + "&interval=1m&startTime=" + start + "&endTime=" + to + "&limit=1000")).GET().build();
      var resp = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("klines " + symbol + ": HTTP " + resp.statusCode() + " " + resp.body());
      }
      JsonArray page = new JsonArray(resp.body());
      all.addAll(page);
      if (page.size() < 1000) {
        break;
      }
      start = num(page.getJsonArray(page.size() - 1), 0).longValue() + 60_000L;
    }
    return all;
  }

  /**
   * Loss check at max rate, where the trades are the firehose's (not the deterministic market): for
   * every symbol the firehose fed, await (10 s) the service's published 1m klines to reach the
   * firehose's last trade id, then check their fills from the firehose's start minute on against
   * what was sent (the market's own fills of that minute before it + the firehose's contiguous trade
   * ids). lost = Σ sent − Σ in klines; a symbol whose klines differ either way is mismatched.
   */
  static void verifyFirehose(JsonObject res, JsonObject tally, Map<String, Kline> ours, Map<Integer, String> names,
      SimMarket market) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    Map<String, long[]> got; // name -> {fills from start minute on, max last id}
    while (true) {
      got = new HashMap<>();
      for (Kline k : ours.values()) {
        String name = names.get(k.symbol);
        JsonObject t = name == null ? null : tally.getJsonObject(name);
        if (t == null) {
          continue;
        }
        long[] g = got.computeIfAbsent(name, x -> new long[2]);
        if (k.openTime >= t.getLong("startMinute")) {
          g[0] += k.count;
        }
        g[1] = Math.max(g[1], k.lastId);
      }
      boolean caughtUp = true;
      for (String name : tally.fieldNames()) {
        long[] g = got.get(name);
        caughtUp &= g != null && g[1] >= tally.getJsonObject(name).getLong("lastTradeId");
      }
      if (caughtUp || System.currentTimeMillis() > deadline) {
        System.out.println("klines " + (caughtUp ? "caught up" : "NOT caught up") + " with the firehose after "
            + (System.currentTimeMillis() - deadline + 10_000) + " ms");
        break;
      }
      Thread.sleep(100);
    }
    long sent = 0;
    long mine = 0;
    long mismatched = 0;
    for (String name : tally.fieldNames()) {
      JsonObject t = tally.getJsonObject(name);
      long expect = t.getLong("marketFillsBefore") + t.getLong("lastTradeId") - t.getLong("firstTradeId") + 1;
      long[] g = got.getOrDefault(name, new long[2]);
      sent += expect;
      mine += g[0];
      if (g[0] != expect || g[1] != t.getLong("lastTradeId")) {
        if (mismatched++ < 5) {
          System.out.printf("mismatch %s: fills sent %d, in klines %d; last trade id sent %d, in klines %d; %s%n",
              name, expect, g[0], t.getLong("lastTradeId"), g[1], t.encode());
          long m0 = t.getLong("startMinute");
          ours.values().stream().filter(k -> name.equals(names.get(k.symbol)) && k.openTime >= m0 - 60_000L)
              .sorted(java.util.Comparator.comparingLong(k -> k.openTime)).limit(3)
              .forEach(k -> System.out.printf("  ours 1m %d: n=%d ids %d..%d%n", k.openTime, k.count, k.firstId, k.lastId));
          for (SimTrade x : market.trades(market.symbol(name), m0 - 60_000L, m0 + 60_000L)) {
            if (x.lastId < t.getLong("firstTradeId")) {
              System.out.printf("  market a=%d T=%d ids %d..%d%n", x.aggId, x.time, x.firstId, x.lastId);
            }
          }
        }
      }
    }
    res.put("lost_trades", sent - mine).put("compared_symbols", tally.size()).put("mismatched_symbols", mismatched)
        .put("fills_in_klines", mine).put("fills_sent", sent);
  }

  /**
   * Every firehose symbol's 1m klines from its start minute on, as the firehose summed what it sent
   * (the open one included: the streams are stalled and the klines caught up), against the last
   * version the gateway published, every field. Returns {compared, mismatched}.
   */
  static long[] verifyFirehoseKlines(JsonObject tally, Map<String, Kline> ours, Map<Integer, String> names) {
    Map<String, Integer> ids = new HashMap<>();
    names.forEach((id, n) -> ids.put(n, id));
    long compared = 0;
    long mismatched = 0;
    for (String name : tally.fieldNames()) {
      Integer id = ids.get(name);
      for (Object o : tally.getJsonObject(name).getJsonArray("klines", new JsonArray())) {
        JsonArray row = (JsonArray) o;
        long open = num(row, 0).longValue();
        Kline k = id == null ? null : ours.get(id + "|" + open);
        compared++;
        String diff = k == null ? "not published" : diff(row, k);
        if (diff != null && mismatched++ < 5) {
          System.out.printf("firehose kline mismatch %s 1m %d: %s; sent %s%n", name, open, diff, row.encode());
        }
      }
    }
    return new long[] {compared, mismatched};
  }
}
