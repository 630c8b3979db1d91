package klagg.sim;

import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Firehose at maximal rate: aggTrades for every subscribed aggTrade stream, generated and encoded
 * straight into bytes once per trade, written in bursts (one socket write per burst and
 * connection), paced only by the slowest subscriber's write queue. Ids are contiguous per symbol
 * and continue the deterministic market's; the firehose's own trades are not part of the market
 * (REST does not know them). Every connection is a {@link RawConn} in firehose mode.
 */
final class Firehose {
  static final int BURST = 2048;
  final WsHub hub;
  final SyntheticMarket market;
  final Context ctx;
  final Map<SymbolInfo, Feed> feeds = new HashMap<>();
  final SyntheticMarket.Rng rng = new SyntheticMarket.Rng(12345);
  private final AggFrames frames = new AggFrames();
  private final byte[] buf = new byte[1024];
  boolean scheduled;
  boolean held;

  /** One symbol's firehose: its stream and frame head ({@link WsHub.Emit}), and what it has sent. */
  static final class Feed {
    final WsHub.Emit emit;
    long nextAgg;
    long nextTrade;
    /** The first trade id the firehose sent, and the open of that trade's minute. */
    final long firstTrade;
    final long startMinute;
    /** Fills of the market's own trades in {@code startMinute} before the firehose took over. */
    final long marketFillsBefore;
    /**
     * The oracle of what was sent: the 1m klines from {@code startMinute} on (the market's own trades
     * of that minute before the firehose included), the open one last, summed as the REST klines are.
     */
    final List<SimKline> closedMinutes = new ArrayList<>();
    long minute;
    TradeSums sums = new TradeSums();
    long prevClose;

    Feed(WsHub.Emit emit, long nextAgg, long nextTrade, long startMinute, long marketFillsBefore) {
      this.emit = emit;
      this.nextAgg = nextAgg;
      this.nextTrade = nextTrade;
      this.firstTrade = nextTrade;
      this.startMinute = startMinute;
      this.marketFillsBefore = marketFillsBefore;
      this.minute = startMinute;
    }

    /** Closes the 1m klines before {@code now}'s minute. */
    void rollTo(SymbolInfo s, long now) {
      while (now >= minute + 60_000L) {
        closedMinutes.add(new SimKline(s, SimInterval.M1, minute, sums, prevClose));
        if (!sums.empty()) {
          prevClose = sums.close;
        }
        sums = new TradeSums();
        minute += 60_000L;
      }
    }

    JsonArray klines(SymbolInfo s) {
      JsonArray a = new JsonArray();
      closedMinutes.forEach(k -> a.add(k.toRestRow()));
      a.add(new SimKline(s, SimInterval.M1, minute, sums, prevClose).toRestRow());
      return a;
    }
  }

  Firehose(WsHub hub, SyntheticMarket market, Context ctx) {
    this.hub = hub;
    this.market = market;
    this.ctx = ctx;
  }

  void kick() {
    if (!scheduled) {
      scheduled = true;
      ctx.runOnContext(v -> burst());
    }
  }

  /**
   * A symbol's firehose continues its deterministic market: ids follow the market's last trade at
   * or before {@code now}, so a consumer seeded from REST sees one contiguous id sequence.
   */
  private Feed start(SymbolInfo s, long now) {
    long m0 = Math.floorDiv(now, 60_000L) * 60_000L;
    List<SimTrade> before = market.trades(s, m0, now + 1);
    long fills = 0;
    for (SimTrade t : before) {
      fills += t.lastId - t.firstId + 1;
    }
    Feed feed;
    if (before.isEmpty()) {
      long a = market.minuteFirstAgg(s, m0 / 60_000L);
      feed = new Feed(hub.emitOf(s), a, SyntheticMarket.firstTradeId(s, a), m0, fills);
      feed.prevClose = market.lastPriceBefore(s, m0);
    } else {
      SimTrade last = before.get(before.size() - 1);
      feed = new Feed(hub.emitOf(s), last.aggId + 1, last.lastId + 1, m0, fills);
      for (SimTrade t : before) {
        feed.sums.trade(t.aggId, t.price, t.qty, t.firstId, t.lastId, t.time, t.buyerMaker);
      }
    }
    return feed;
  }

  /**
   * What was sent, per symbol: {@code startMinute} (open time of the minute of its first firehose
   * trade), {@code marketFillsBefore} (fills of the market's own trades in that minute before it),
   * {@code firstTradeId} and {@code lastTradeId} of the firehose. A consumer that lost nothing has,
   * over its 1m klines from {@code startMinute} on, {@code marketFillsBefore + lastTradeId -
   * firstTradeId + 1} fills and a last trade id of {@code lastTradeId}; {@code klines}: the 1m klines
   * of what was sent from {@code startMinute} on, the open one last, as REST rows (the market's
   * REST klines do not know the firehose's trades).
   */
  JsonObject tally() {
    JsonObject o = new JsonObject();
    feeds.forEach((s, f) -> o.put(s.name, new JsonObject().put("startMinute", f.startMinute)
        .put("marketFillsBefore", f.marketFillsBefore).put("firstTradeId", f.firstTrade)
        .put("lastTradeId", f.nextTrade - 1).put("klines", f.klines(s))));
    return o;
  }

  /**
   * Holds the firehose (e.g. until the service under test is live); while held the ordinary market
   * streams, and on release the firehose continues each symbol's ids after the market's last trade.
   */
  void hold(boolean h) {
    held = h;
    if (!h) {
      kick();
    }
  }

  /** One trade's combined-stream form into {@code b} from 0 (see {@link AggFrames#encode}); returns the end. */
  int encode(byte[] b, SymbolInfo s, Feed feed, long now, long a, long p, long q, long f, long l, boolean m) {
    return frames.encode(b, s, feed.emit.head, feed.emit.name, now, a, p, q, f, l, now, m);
  }

  // ---------------------------------------------------------------------------------------------

  void burst() {
    scheduled = false;
    if (held || hub.faults.stalled() || hub.conns.isEmpty()) {
      return;
    }
    // symbols with at least one subscriber ready for data (a raw connection waits 100 ms after the
    // upgrade): ids are only spent on trades someone receives
    List<SymbolInfo> syms = new ArrayList<>();
    List<Feed> symFeeds = new ArrayList<>();
    List<RawConn[]> subs = new ArrayList<>();
    long now = hub.clock.now();
    for (SymbolInfo s : market.symbols()) {
      Feed feed = feeds.get(s);
      Set<Conn> set = hub.subs.get(hub.emitOf(s).stream);
      if (set == null || set.isEmpty() || !s.trading()) {
        continue;
      }
      List<RawConn> ready = new ArrayList<>(set.size());
      for (Conn c : set) {
        if (c.writeQueueFull()) {
          if (c instanceof RawConn r) {
            r.so.drainHandler(v -> kick());
          }
          return; // paced by the slowest subscriber; drain (or the next tick) resumes
        }
        if (c.ready() && c instanceof RawConn r) {
          ready.add(r);
        }
      }
      if (ready.isEmpty()) {
        continue;
      }
      if (feed == null) {
        feeds.put(s, feed = start(s, now));
      }
      feed.rollTo(s, now);
      syms.add(s);
      symFeeds.add(feed);
      subs.add(ready.toArray(new RawConn[0]));
    }
    int n = syms.size();
    if (n == 0) {
      return;
    }
    long[] mids = new long[n];
    for (int i = 0; i < n; i++) {
      SymbolInfo s = syms.get(i);
      mids[i] = Math.max(1, Math.round(market.mid(s, now) * SimDecimal.pow10(s.priceScale)));
    }
    // at least a few trades per symbol per burst, so the per-burst set-up above stays off the per-trade cost
    int burst = Math.max(BURST, 8 * n);
    long frames = 0;
    for (int k = 0; k < burst; k++) {
      int i = k % n;
      SymbolInfo s = syms.get(i);
      Feed feed = symFeeds.get(i);
      long a = feed.nextAgg++;
      long fills = (rng.next() & 7) == 0 ? 2 : 1;
      long f = feed.nextTrade;
      feed.nextTrade += fills;
      long p = Math.max(1, mids[i] + rng.nextInt(5) - 2);
      long q = 1 + rng.nextInt(5000);
      boolean m = rng.nextBoolean();
      int end = encode(buf, s, feed, now, a, p, q, f, f + fills - 1, m);
      feed.sums.trade(a, p, q, f, f + fills - 1, now, m);
      for (RawConn c : subs.get(i)) {
        c.frameTrade(buf, feed.emit.head.length, end);
      }
      frames += subs.get(i).length;
    }
    hub.tradesSent.addAndGet(burst);
    hub.framesSent.addAndGet(frames);
    hub.flushAll();
    kick();
  }
}
