package klagg.service;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/** At most one log line per key per period; the next line says how many were suppressed. */
public final class RateLimitedLog {
  private final Logger log;
  private final long periodMs;
  private final Map<String, long[]> last = new HashMap<>();

  public RateLimitedLog(Logger log, long periodMs) {
    this.log = log;
    this.periodMs = periodMs;
  }

  public void warn(String key, String message) {
    long now = System.currentTimeMillis();
    long[] s = last.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE / 2, 0});
    if (now - s[0] >= periodMs) {
      log.warn(s[1] > 0 ? message + " (" + s[1] + " similar suppressed)" : message);
      s[0] = now;
      s[1] = 0;
    } else {
      s[1]++;
    }
  }
}
