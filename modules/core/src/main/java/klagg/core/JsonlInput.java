package klagg.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** WebSocket capture input for replay: one raw or combined frame per line, decoded by the core decoder. */
public final class JsonlInput {
  private JsonlInput() {}

  public static void read(Replay replay, InputStream in) throws IOException {
    AggTradeDecoder decoder = new AggTradeDecoder(replay.symbols(), System::currentTimeMillis);
    AggTrade t = new AggTrade();
    byte[] buf = new byte[1 << 16];
    int len = 0;
    for (int n; (n = in.read(buf, len, buf.length - len)) >= 0; ) {
      len += n;
      int start = 0;
      for (int i = 0; i < len; i++) {
        if (buf[i] == '\n') {
          line(replay, decoder, t, buf, start, i - start);
          start = i + 1;
        }
      }
      System.arraycopy(buf, start, buf, 0, len - start);
      len -= start;
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
    }
    if (len > 0) {
      line(replay, decoder, t, buf, 0, len);
    }
  }

  private static void line(Replay replay, AggTradeDecoder decoder, AggTrade t, byte[] b, int off, int len) {
    while (len > 0 && (b[off + len - 1] == '\r' || b[off + len - 1] == ' ')) {
      len--;
    }
    if (len == 0) {
      return;
    }
    AggTradeDecoder.Result r = decoder.decode(b, off, len, t);
    if (r == AggTradeDecoder.Result.REJECTED && decoder.lastReject() == RejectReason.UNKNOWN_SYMBOL) {
      String sym = stringField(b, off, len, "\"s\":\"");
      if (sym != null) {
        int id = replay.symbol(sym);
        String p = stringField(b, off, len, "\"p\":\"");
        String q = stringField(b, off, len, "\"q\":\"");
        replay.digits(id, decimals(p), decimals(q));
        r = decoder.decode(b, off, len, t);
      }
    }
    if (r == AggTradeDecoder.Result.TRADE) {
      replay.apply(t);
    } else if (r == AggTradeDecoder.Result.REJECTED) {
      replay.reject(decoder.lastReject());
    }
  }

  private static int decimals(String s) {
    int dot = s == null ? -1 : s.indexOf('.');
    return dot < 0 ? 0 : s.length() - dot - 1;
  }

  /** The value of a string field, found by its literal prefix (first sight of a symbol only). */
  private static String stringField(byte[] b, int off, int len, String prefix) {
    String frame = new String(b, off, len, StandardCharsets.UTF_8);
    int i = frame.indexOf(prefix);
    if (i < 0) {
      return null;
    }
    int start = i + prefix.length();
    int end = frame.indexOf('"', start);
    return end < 0 ? null : frame.substring(start, end);
  }
}
