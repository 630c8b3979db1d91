package klagg.sim;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
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
  final Map<SymbolInfo, long[]> ids = new HashMap<>(); // {next agg id, next trade id}
  final SyntheticMarket.Rng rng = new SyntheticMarket.Rng(12345);
  final StringBuilder sb = new StringBuilder(256);
  boolean scheduled;
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

  private static Buffer frame(byte[] payload) {
    Buffer b = Buffer.buffer(payload.length + 4);
    b.appendByte((byte) 0x81);
    if (payload.length < 126) {
      b.appendByte((byte) payload.length);
    } else {
      b.appendByte((byte) 126).appendShort((short) payload.length);
    }
    return b.appendBytes(payload);
  }

  void burst() {
    scheduled = false;
    if (hub.faults.stalled() || hub.conns.isEmpty()) {
      return;
    }
    List<SymbolInfo> syms = new ArrayList<>();
    List<Set<WsHub.Conn>> subs = new ArrayList<>();
    for (SymbolInfo s : market.symbols()) {
      Set<WsHub.Conn> set = hub.subs.get(s.lower + "@aggTrade");
      if (set != null && !set.isEmpty() && s.trading()) {
        syms.add(s);
        subs.add(set);
      }
    }
    if (syms.isEmpty()) {
      return;
    }
    for (Set<WsHub.Conn> set : subs) {
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
    long[] mids = new long[syms.size()];
    for (int i = 0; i < syms.size(); i++) {
      SymbolInfo s = syms.get(i);
      mids[i] = Math.max(1, Math.round(market.mid(s, now) * Decimals.pow10(s.priceScale)));
    }
    for (int k = 0; k < BURST; k++) {
      int i = k % syms.size();
      SymbolInfo s = syms.get(i);
      long[] id = ids.computeIfAbsent(s, x -> {
        long a = market.minuteFirstAgg(x, Math.floorDiv(now, 60_000L));
        return new long[] {a, 2 * a};
      });
      long a = id[0]++;
      long fills = (rng.next() & 7) == 0 ? 2 : 1;
      long f = id[1];
      id[1] += fills;
      long p = Math.max(1, mids[i] + rng.nextInt(5) - 2);
      long q = 1 + rng.nextInt(5000);
      boolean m = rng.nextBoolean();
      String stream = s.lower + "@aggTrade";
      sb.setLength(0);
      sb.append("{\"e\":\"aggTrade\",\"E\":").append(now).append(",\"s\":\"").append(s.name)
          .append("\",\"a\":").append(a).append(",\"p\":\"");
      Decimals.append(sb, p, s.priceScale, s.priceDigits);
      sb.append("\",\"q\":\"");
      Decimals.append(sb, q, s.qtyScale, s.qtyDigits);
      sb.append("\",\"f\":").append(f).append(",\"l\":").append(f + fills - 1).append(",\"T\":").append(now)
          .append(",\"m\":").append(m).append(",\"M\":true}");
      String payload = sb.toString();
      Buffer raw = null;
      Buffer wrapped = null;
      for (WsHub.Conn c : subs.get(i)) {
        if (!c.ready()) {
          continue;
        }
        if (c instanceof WsHub.RawConn r) {
          if (c.combined) {
            if (wrapped == null) {
              wrapped = frame(("{\"stream\":\"" + stream + "\",\"data\":" + payload + "}").getBytes(StandardCharsets.UTF_8));
            }
            r.writeEncoded(wrapped);
          } else {
            if (raw == null) {
              raw = frame(payload.getBytes(StandardCharsets.UTF_8));
            }
            r.writeEncoded(raw);
          }
        } else {
          c.send(c.combined ? "{\"stream\":\"" + stream + "\",\"data\":" + payload + "}" : payload);
        }
      }
      hub.tradesSent.incrementAndGet();
    }
    bursts++;
    hub.flushAll();
    kick();
  }
}
