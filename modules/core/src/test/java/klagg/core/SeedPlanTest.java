package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedPlanTest {
  static long t(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void binancesDefaultsCostTwoRequestsWhateverTheTime() {
    List<Interval> ivs = Interval.DEFAULTS; // 1m 5m 15m 30m 1h 4h 1d 1w
    // Sunday late evening: the day's and the week's longest
    SeedPlan p = SeedPlan.of(ivs, t("2026-12-06T23:59:30Z"), 1000);
    assertThat(p.bases()).containsExactly(0, 5); // 1m, 4h
    for (int i = 1; i <= 5; i++) {
      assertThat(p.base(i)).as(ivs.get(i).code()).isEqualTo(0);
    }
    assertThat(p.base(6)).isEqualTo(5);
    assertThat(p.base(7)).isEqualTo(5);
    assertThat(p.from(0)).isEqualTo(t("2026-12-06T20:00:00Z"));
    assertThat(p.until(0)).isEqualTo(t("2026-12-06T23:59:00Z"));
    assertThat(p.from(5)).isEqualTo(t("2026-11-30T00:00:00Z")); // Monday
    assertThat(p.until(5)).isEqualTo(t("2026-12-06T20:00:00Z"));
    assertThat(p.requests()).isEqualTo(2);
  }

  @Test
  void atTheWeeksFirstMinuteNothingClosedIsNeeded() {
    SeedPlan p = SeedPlan.of(Interval.DEFAULTS, t("2026-11-30T00:00:10Z"), 1000);
    assertThat(p.requests()).isZero();
  }

  /** Every plan at every minute of a month, every Binance interval: aligned bases, within one request each. */
  @Test
  void everyIntervalIsBuiltFromAnAlignedFinerBaseWithinOneRequest() {
    List<Interval> all = new ArrayList<>();
    for (String c : List.of("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")) {
      all.add(Interval.parse(c));
    }
    Random r = new Random(7);
    long start = t("2026-11-01T00:00:00Z");
    int maxRequests = 0;
    for (long now = start; now < start + 31L * 86_400_000L; now += 60_000L + r.nextInt(2_000)) {
      SeedPlan p = SeedPlan.of(all, now, 1000);
      for (int i = 1; i < all.size(); i++) {
        int b = p.base(i);
        assertThat(b).isBetween(0, i - 1);
        assertThat(all.get(i).alignedTo(all.get(b))).isTrue();
        assertThat(p.bases()).contains(b);
        assertThat(p.from(b)).isLessThanOrEqualTo(all.get(i).openOf(now));
      }
      for (int b : p.bases()) {
        long rows = (p.until(b) - p.from(b)) / all.get(b).fixedLength();
        assertThat(rows).isBetween(0L, 1000L);
      }
      maxRequests = Math.max(maxRequests, p.requests());
    }
    // 1m (to 4h), then 4h or 12h (to 1d, 1w, 1M), 1d for 3d when its open is days back
    assertThat(maxRequests).isLessThanOrEqualTo(3);
  }
}
