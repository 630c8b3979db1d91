package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class IntervalTest {
  private static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void binanceNamesRoundTrip() {
    for (Interval i : Interval.values()) {
      assertThat(Interval.parse(i.code())).isSameAs(i);
    }
    assertThat(Interval.parse("1M")).isEqualTo(Interval.MN1);
    assertThat(Interval.parse("1m")).isEqualTo(Interval.M1);
    assertThatThrownBy(() -> Interval.parse("7m")).hasMessageContaining("7m");
  }

  @Test
  void minuteAndHourBoundariesAreUtc() {
    long t = ms("2023-04-04T23:59:59.999Z");
    assertThat(Interval.M1.openOf(t)).isEqualTo(ms("2023-04-04T23:59:00Z"));
    assertThat(Interval.M1.closeOf(Interval.M1.openOf(t))).isEqualTo(t);
    assertThat(Interval.H4.openOf(t)).isEqualTo(ms("2023-04-04T20:00:00Z"));
    assertThat(Interval.D1.openOf(t)).isEqualTo(ms("2023-04-04T00:00:00Z"));
    assertThat(Interval.M1.openOf(ms("2023-04-05T00:00:00Z"))).isEqualTo(ms("2023-04-05T00:00:00Z"));
  }

  @Test
  void weekOpensOnMonday() {
    for (long t = ms("2023-01-01T00:00:00Z"); t < ms("2024-01-01T00:00:00Z"); t += 3_600_000L * 7) {
      ZonedDateTime open = Instant.ofEpochMilli(Interval.W1.openOf(t)).atZone(ZoneOffset.UTC);
      assertThat(open.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
      assertThat(open.toLocalTime().toSecondOfDay()).isZero();
      assertThat(Interval.W1.openOf(t)).isLessThanOrEqualTo(t);
      assertThat(Interval.W1.nextOpen(Interval.W1.openOf(t))).isGreaterThan(t);
    }
  }

  @Test
  void monthFollowsTheCalendar() {
    assertThat(Interval.MN1.openOf(ms("2024-02-29T13:00:00Z"))).isEqualTo(ms("2024-02-01T00:00:00Z"));
    assertThat(Interval.MN1.nextOpen(ms("2024-02-01T00:00:00Z"))).isEqualTo(ms("2024-03-01T00:00:00Z"));
    assertThat(Interval.MN1.closeOf(ms("2024-12-01T00:00:00Z"))).isEqualTo(ms("2025-01-01T00:00:00Z") - 1);
  }

  @Test
  void threeDayGrid() {
    // Binance's 3d klines open on epoch days = 1 mod 3, e.g. 2021-01-01
    assertThat(Interval.D3.openOf(ms("2021-01-02T10:00:00Z"))).isEqualTo(ms("2021-01-01T00:00:00Z"));
  }

  @Test
  void nextOpenAgreesWithOpenOfForEveryInterval() {
    long t0 = ms("2020-02-27T00:00:00Z");
    for (Interval i : Interval.values()) {
      long open = i.openOf(t0);
      for (int k = 0; k < 50; k++) {
        long next = i.nextOpen(open);
        assertThat(i.openOf(next)).as(i.code()).isEqualTo(next);
        assertThat(i.openOf(next - 1)).as(i.code()).isEqualTo(open);
        open = next;
      }
    }
  }

  @Test
  void parseListSortsAndDeduplicates() {
    assertThat(Interval.parseList("1h, 1m,5m,1m")).containsExactly(Interval.M1, Interval.M5, Interval.H1);
    assertThatThrownBy(() -> Interval.parseList(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
