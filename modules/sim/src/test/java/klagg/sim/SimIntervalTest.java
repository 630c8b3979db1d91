package klagg.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimIntervalTest {
  private static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void allFifteenBinanceIntervalsAndTheSecondAreNamed() {
    assertThat(SimInterval.values()).extracting(SimInterval::code).containsExactly("1s", "1m", "3m", "5m",
        "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M");
    for (SimInterval i : SimInterval.values()) {
      assertThat(SimInterval.find(i.code())).isSameAs(i);
      assertThat(SimInterval.parse(i.code())).isSameAs(i);
    }
    assertThat(SimInterval.find("1mo")).isNull();
    assertThat(SimInterval.find("1W")).isNull();
    assertThatThrownBy(() -> SimInterval.parse("2d")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2d");
  }

  @Test
  void subDayIntervalsSitOnTheDaysGrid() {
    long t = at("2024-02-29T13:47:31.123Z");
    assertThat(SimInterval.S1.openOf(t)).isEqualTo(at("2024-02-29T13:47:31Z"));
    assertThat(SimInterval.M1.openOf(t)).isEqualTo(at("2024-02-29T13:47:00Z"));
    assertThat(SimInterval.M3.openOf(t)).isEqualTo(at("2024-02-29T13:45:00Z"));
    assertThat(SimInterval.M5.openOf(t)).isEqualTo(at("2024-02-29T13:45:00Z"));
    assertThat(SimInterval.M15.openOf(t)).isEqualTo(at("2024-02-29T13:45:00Z"));
    assertThat(SimInterval.M30.openOf(t)).isEqualTo(at("2024-02-29T13:30:00Z"));
    assertThat(SimInterval.H1.openOf(t)).isEqualTo(at("2024-02-29T13:00:00Z"));
    assertThat(SimInterval.H2.openOf(t)).isEqualTo(at("2024-02-29T12:00:00Z"));
    assertThat(SimInterval.H4.openOf(t)).isEqualTo(at("2024-02-29T12:00:00Z"));
    assertThat(SimInterval.H6.openOf(t)).isEqualTo(at("2024-02-29T12:00:00Z"));
    assertThat(SimInterval.H8.openOf(t)).isEqualTo(at("2024-02-29T08:00:00Z"));
    assertThat(SimInterval.H12.openOf(t)).isEqualTo(at("2024-02-29T12:00:00Z"));
    assertThat(SimInterval.D1.openOf(t)).isEqualTo(at("2024-02-29T00:00:00Z"));
    assertThat(SimInterval.M1.closeOf(at("2024-02-29T13:47:00Z"))).isEqualTo(at("2024-02-29T13:47:59.999Z"));
    assertThat(SimInterval.H12.closeOf(at("2024-02-29T12:00:00Z"))).isEqualTo(at("2024-02-29T23:59:59.999Z"));
    assertThat(SimInterval.D1.nextOpen(at("2024-02-28T00:00:00Z"))).isEqualTo(at("2024-02-29T00:00:00Z"));
    assertThat(SimInterval.D1.nextOpen(at("2023-02-28T00:00:00Z"))).isEqualTo(at("2023-03-01T00:00:00Z"));
    // before the epoch too
    assertThat(SimInterval.H1.openOf(-1)).isEqualTo(-3_600_000L);
  }

  @Test
  void threeDaysOnBinancesGridFromItsFirstThreeDayKline() {
    long first = at("2017-08-17T00:00:00Z"); // Binance's first 3d kline of BTCUSDT
    assertThat(SimInterval.D3.openOf(first)).isEqualTo(first);
    assertThat(SimInterval.D3.openOf(at("2017-08-19T23:59:59.999Z"))).isEqualTo(first);
    assertThat(SimInterval.D3.openOf(at("2017-08-20T00:00:00Z"))).isEqualTo(at("2017-08-20T00:00:00Z"));
    assertThat(SimInterval.D3.openOf(at("2017-08-16T23:59:59.999Z"))).isEqualTo(at("2017-08-14T00:00:00Z"));
    assertThat(SimInterval.D3.closeOf(first)).isEqualTo(at("2017-08-19T23:59:59.999Z"));
    assertThat(SimInterval.D3.openOf(0)).isEqualTo(at("1969-12-30T00:00:00Z"));
  }

  @Test
  void weeksOpenOnMonday() {
    long mon = at("2024-01-01T00:00:00Z"); // a Monday
    assertThat(SimInterval.W1.openOf(mon)).isEqualTo(mon);
    assertThat(SimInterval.W1.openOf(mon - 1)).isEqualTo(at("2023-12-25T00:00:00Z")); // Sunday night
    assertThat(SimInterval.W1.openOf(at("2024-01-07T23:59:59.999Z"))).isEqualTo(mon);
    assertThat(SimInterval.W1.openOf(at("2024-01-03T12:00:00Z"))).isEqualTo(mon);
    assertThat(SimInterval.W1.closeOf(mon)).isEqualTo(at("2024-01-07T23:59:59.999Z"));
    // a week across the leap day and across a year end
    assertThat(SimInterval.W1.openOf(at("2024-02-29T10:00:00Z"))).isEqualTo(at("2024-02-26T00:00:00Z"));
    assertThat(SimInterval.W1.nextOpen(at("2024-02-26T00:00:00Z"))).isEqualTo(at("2024-03-04T00:00:00Z"));
    assertThat(SimInterval.W1.openOf(at("2021-01-01T00:00:00Z"))).isEqualTo(at("2020-12-28T00:00:00Z"));
    // the epoch was a Thursday: its week opened before it
    assertThat(SimInterval.W1.openOf(0)).isEqualTo(at("1969-12-29T00:00:00Z"));
  }

  @Test
  void monthsFollowTheCalendarWithLeapYears() {
    assertThat(SimInterval.MN1.openOf(at("2024-02-15T08:00:00Z"))).isEqualTo(at("2024-02-01T00:00:00Z"));
    assertThat(SimInterval.MN1.closeOf(at("2024-02-01T00:00:00Z"))).isEqualTo(at("2024-02-29T23:59:59.999Z"));
    assertThat(SimInterval.MN1.closeOf(at("2023-02-01T00:00:00Z"))).isEqualTo(at("2023-02-28T23:59:59.999Z"));
    assertThat(SimInterval.MN1.closeOf(at("2000-02-01T00:00:00Z"))).isEqualTo(at("2000-02-29T23:59:59.999Z"));
    assertThat(SimInterval.MN1.closeOf(at("2100-02-01T00:00:00Z"))).isEqualTo(at("2100-02-28T23:59:59.999Z"));
    assertThat(SimInterval.MN1.openOf(at("2024-02-29T23:59:59.999Z"))).isEqualTo(at("2024-02-01T00:00:00Z"));
    assertThat(SimInterval.MN1.openOf(at("2024-03-01T00:00:00Z"))).isEqualTo(at("2024-03-01T00:00:00Z"));
    assertThat(SimInterval.MN1.openOf(at("2024-01-31T23:59:59.999Z"))).isEqualTo(at("2024-01-01T00:00:00Z"));
    assertThat(SimInterval.MN1.nextOpen(at("2023-12-01T00:00:00Z"))).isEqualTo(at("2024-01-01T00:00:00Z"));
    assertThat(SimInterval.MN1.closeOf(at("2024-04-01T00:00:00Z"))).isEqualTo(at("2024-04-30T23:59:59.999Z"));
    assertThat(SimInterval.MN1.closeOf(at("2024-12-01T00:00:00Z"))).isEqualTo(at("2024-12-31T23:59:59.999Z"));
  }

  @Test
  void bucketsTileTimeWithoutGapOrOverlap() {
    for (SimInterval iv : SimInterval.values()) {
      long open = iv.openOf(at("2023-12-20T05:06:07.089Z"));
      int n = iv == SimInterval.S1 ? 5_000 : 400;
      for (int i = 0; i < n; i++) {
        long next = iv.nextOpen(open);
        assertThat(next).as("%s after %d", iv, open).isGreaterThan(open);
        assertThat(iv.openOf(open)).as(iv.code()).isEqualTo(open);
        assertThat(iv.openOf(next - 1)).as(iv.code()).isEqualTo(open);
        assertThat(iv.openOf(next)).as(iv.code()).isEqualTo(next);
        assertThat(iv.closeOf(open)).isEqualTo(next - 1);
        open = next;
      }
    }
  }
}
