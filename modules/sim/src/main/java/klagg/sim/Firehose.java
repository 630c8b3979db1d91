package klagg.sim;

import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import klagg.core.Decimals;

/**
 * Firehose at maximal rate: aggTrades for every subscribed aggTrade stream, generated and encoded
 * once per trade, written as pre-built frames in bursts (one socket write per burst and
 * connection), paced only by the slowest subscriber's write queue. Ids are contiguous per symbol;
 * these trades are not part of the deterministic market (REST does not know them).
 */
final class Firehose {
  static final int BURST = 2048;
  final WsHub hub;
  final SyntheticMarket market;
  final Context ctx;
  /** Per symbol: {next agg id, next trade id, first trade id sent, start minute, market fills before}. */
  final Map<SymbolInfo, long[]> ids = new HashMap<>();
  private final Map<SymbolInfo, String> streams = new HashMap<>();
  final SyntheticMarket.Rng rng = new SyntheticMarket.Rng(12345);
  final StringBuilder sb = new StringBuilder(256);
  boolean scheduled;
  boolean held;
  long bursts;

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
  private long[] start(SymbolInfo s, long now) {
    long m0 = Math.floorDiv(now, 60_000L) * 60_000L;
    List<SimTrade> before = market.trades(s, m0, now + 1);
    long fills = 0;
    for (SimTrade t : before) {
      fills += t.lastId - t.firstId + 1;
    }
    long a;
    long f;
    if (before.isEmpty()) {
      a = market.minuteFirstAgg(s, m0 / 60_000L);
      f = SyntheticMarket.firstTradeId(s, a);
    } else {
      SimTrade last = before.get(before.size() - 1);
      a = last.aggId + 1;
      f = last.lastId + 1;
    }
    return new long[] {a, f, f, m0, fills};
  }

  /**
   * What was sent, per symbol: {@code startMinute} (open time of the minute of its first firehose
   * trade), {@code marketFillsBefore} (fills of the market's own trades in that minute before it),
   * {@code firstTradeId} and {@code lastTradeId} of the firehose. A consumer that lost nothing has,
   * over its 1m klines from {@code startMinute} on, {@code marketFillsBefore + lastTradeId -
   * firstTradeId + 1} fills and a last trade id of {@code lastTradeId}.
   */
  JsonObject tally() {
    JsonObject o = new JsonObject();
    ids.forEach((s, id) -> o.put(s.name, new JsonObject().put("startMinute", id[3])
        .put("marketFillsBefore", id[4]).put("firstTradeId", id[2]).put("lastTradeId", id[1] - 1)));
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

  // ---------------------------------------------------------------------------------------------
  // Frame encoding straight into bytes: no String, no StringBuilder, no copy per trade.

  private static final byte[] E_HEAD = ascii("{\"e\":\"aggTrade\",\"E\":");
  private static final byte[] S_KEY = ascii(",\"s\":\"");
  private static final byte[] A_KEY = ascii("\",\"a\":");
  private static final byte[] P_KEY = ascii(",\"p\":\"");
  private static final byte[] Q_KEY = ascii("\",\"q\":\"");
  private static final byte[] F_KEY = ascii("\",\"f\":");
  private static final byte[] L_KEY = ascii(",\"l\":");
  private static final byte[] T_KEY = ascii(",\"T\":");
  private static final byte[] M_KEY = ascii(",\"m\":");
  private static final byte[] TRUE_TAIL = ascii("true,\"M\":true}");
  private static final byte[] FALSE_TAIL = ascii("false,\"M\":true}");
  private static final int HEADER = 4; // room for the longest frame header we write (payload < 64 KiB)

  private final byte[] rawBuf = new byte[1024];
  private final byte[] wrappedBuf = new byte[1024];
  private final Map<SymbolInfo, byte[][]> names = new HashMap<>();

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Encodes one aggTrade's JSON text into {@code b} from {@link #HEADER} on (room for a frame
   * header before it); returns the end. {@code n}: the symbol's combined-stream head and name bytes.
   */
  int payload(byte[] b, SymbolInfo s, byte[][] n, boolean combined, long now, long a, long p, long q, long f,
      long l, boolean m) {
    int i = HEADER;
    if (combined) {
      i = put(b, i, n[0]);
    }
    i = put(b, i, E_HEAD);
    i = putLong(b, i, now);
    i = put(b, i, S_KEY);
    i = put(b, i, n[1]);
    i = put(b, i, A_KEY);
    i = putLong(b, i, a);
    i = put(b, i, P_KEY);
    i = putDecimal(b, i, p, s.priceScale, s.priceDigits);
    i = put(b, i, Q_KEY);
    i = putDecimal(b, i, q, s.qtyScale, s.qtyDigits);
    i = put(b, i, F_KEY);
    i = putLong(b, i, f);
    i = put(b, i, L_KEY);
    i = putLong(b, i, l);
    i = put(b, i, T_KEY);
    i = putLong(b, i, now);
    i = put(b, i, M_KEY);
    i = put(b, i, m ? TRUE_TAIL : FALSE_TAIL);
    if (combined) {
      b[i++] = '}';
    }
    return i;
  }

  /**
   * Writes the unmasked text-frame header for the payload {@code b[HEADER, end)} right before it;
   * returns where the frame starts.
   */
  static int header(byte[] b, int end) {
    int len = end - HEADER;
    int start;
    if (len < 126) {
      start = HEADER - 2;
      b[start + 1] = (byte) len;
    } else {
      start = 0;
      b[1] = 126;
      b[2] = (byte) (len >>> 8);
      b[3] = (byte) len;
    }
    b[start] = (byte) 0x81;
    return start;
  }

  private static int put(byte[] b, int i, byte[] lit) {
    System.arraycopy(lit, 0, b, i, lit.length);
    return i + lit.length;
  }

  /** Non-negative {@code v} in decimal. */
  static int putLong(byte[] b, int i, long v) {
    int n = 1;
    for (long t = v; t >= 10; t /= 10) {
      n++;
    }
    int end = i + n;
    for (int k = end - 1; k >= i; k--) {
      b[k] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return end;
  }

  /** {@code m / 10^scale} with exactly {@code digits} decimals, as {@link Decimals#append} prints it. */
  private int putDecimal(byte[] b, int i, long m, int scale, int digits) {
    if (digits < scale || m < 0) {
      sb.setLength(0);
      Decimals.append(sb, m, scale, digits);
      for (int k = 0; k < sb.length(); k++) {
        b[i++] = (byte) sb.charAt(k);
      }
      return i;
    }
    long pow = Decimals.pow10(scale);
    i = putLong(b, i, m / pow);
    if (digits > 0) {
      b[i++] = '.';
      long frac = m % pow;
      for (int k = i + scale - 1; k >= i; k--) {
        b[k] = (byte) ('0' + frac % 10);
        frac /= 10;
      }
      i += scale;
      for (int k = scale; k < digits; k++) {
        b[i++] = '0';
      }
    }
    return i;
  }

  void burst() {
    scheduled = false;
    if (held || hub.faults.stalled() || hub.conns.isEmpty()) {
      return;
    }
    List<SymbolInfo> syms = new ArrayList<>();
    List<WsHub.Conn[]> subs = new ArrayList<>();
    for (SymbolInfo s : market.symbols()) {
      Set<WsHub.Conn> set = hub.subs.get(streams.computeIfAbsent(s, x -> x.lower + "@aggTrade"));
      if (set != null && !set.isEmpty() && s.trading()) {
        syms.add(s);
        subs.add(set.toArray(new WsHub.Conn[0]));
      }
    }
    if (syms.isEmpty()) {
      return;
    }
    for (WsHub.Conn[] set : subs) {
      for (WsHub.Conn c : set) {
        if (c.writeQueueFull()) {
          if (c instanceof WsHub.RawConn r) {
            r.so.drainHandler(v -> kick());
          }
          return; // paced by the slowest subscriber; drain (or the next tick) resumes
        }
      }
    }
    long now = hub.clock.now();
    int n = syms.size();
    long[] mids = new long[n];
    long[][] symIds = new long[n][];
    byte[][][] symNames = new byte[n][][];
    for (int i = 0; i < n; i++) {
      SymbolInfo s = syms.get(i);
      mids[i] = Math.max(1, Math.round(market.mid(s, now) * Decimals.pow10(s.priceScale)));
      symNames[i] = names.computeIfAbsent(s, x -> new byte[][] {
          ascii("{\"stream\":\"" + x.lower + "@aggTrade\",\"data\":"), ascii(x.name)});
      symIds[i] = ids.get(s);
      if (symIds[i] == null) {
        ids.put(s, symIds[i] = start(s, now));
      }
    }
    // at least a few trades per symbol per burst, so the per-burst set-up above stays off the per-trade cost
    int burst = Math.max(BURST, 8 * n);
    for (int k = 0; k < burst; k++) {
      int i = k % n;
      SymbolInfo s = syms.get(i);
      long[] id = symIds[i];
      long a = id[0]++;
      long fills = (rng.next() & 7) == 0 ? 2 : 1;
      long f = id[1];
      id[1] += fills;
      long p = Math.max(1, mids[i] + rng.nextInt(5) - 2);
      long q = 1 + rng.nextInt(5000);
      boolean m = rng.nextBoolean();
      long l = f + fills - 1;
      int rawEnd = -1;
      int wrappedEnd = -1;
      for (WsHub.Conn c : subs.get(i)) {
        if (!c.ready()) {
          continue;
        }
        if (c.combined && wrappedEnd < 0) {
          wrappedEnd = payload(wrappedBuf, s, symNames[i], true, now, a, p, q, f, l, m);
        } else if (!c.combined && rawEnd < 0) {
          rawEnd = payload(rawBuf, s, symNames[i], false, now, a, p, q, f, l, m);
        }
        byte[] b = c.combined ? wrappedBuf : rawBuf;
        int end = c.combined ? wrappedEnd : rawEnd;
        if (c instanceof WsHub.RawConn r) {
          int start = header(b, end);
          r.writeEncoded(b, start, end - start);
        } else {
          c.send(new String(b, HEADER, end - HEADER, StandardCharsets.US_ASCII));
        }
      }
      hub.tradesSent.incrementAndGet();
    }
    bursts++;
    hub.flushAll();
    kick();
  }
}
