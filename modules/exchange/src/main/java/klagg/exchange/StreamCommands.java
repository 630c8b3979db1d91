package klagg.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binance's stream commands: which streams to SUBSCRIBE or UNSUBSCRIBE next so that what the server
 * sends ({@code have}) becomes what is wanted ({@code want}), at most {@code max} per command,
 * subscriptions first; and the command's JSON text.
 */
final class StreamCommands {
  private StreamCommands() {}

  /** The next batch: streams wanted and not had (subscribe), else had and not wanted; empty when in step. */
  static List<String> nextBatch(Set<String> want, Set<String> have, int max, boolean[] subscribe) {
    List<String> batch = new ArrayList<>();
    subscribe[0] = true;
    collect(want, have, max, batch);
    if (batch.isEmpty()) {
      subscribe[0] = false;
      collect(have, want, max, batch);
    }
    return batch;
  }

  private static void collect(Set<String> from, Set<String> except, int max, List<String> batch) {
    for (String s : from) {
      if (!except.contains(s)) {
        batch.add(s);
        if (batch.size() >= max) {
          return;
        }
      }
    }
  }

  /** {@code {"method":"SUBSCRIBE","params":["btcusdt@aggTrade",…],"id":7}}. */
  static String command(boolean subscribe, List<String> streams, long id) {
    StringBuilder sb = new StringBuilder(32 + streams.size() * 24)
        .append("{\"method\":\"").append(subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE").append("\",\"params\":[");
    for (int i = 0; i < streams.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      appendJsonString(sb, streams.get(i));
    }
    return sb.append("],\"id\":").append(id).append('}').toString();
  }

  private static void appendJsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
