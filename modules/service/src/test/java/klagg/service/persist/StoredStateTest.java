package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.service.persist.StoredState.Row;
import org.junit.jupiter.api.Test;

/** Whether a symbol's stored rows can seed a worker, and why not. */
class StoredStateTest {
  static final long T = 1_796_460_000_000L; // a 5m boundary
  static final List<Interval> IVS = List.of(Interval.M1, Interval.M5);

  static Row row(String sym, Interval iv, long open, boolean closed, Long agg, String... nums) {
    String[] n = nums.length == 8 ? nums
        : new String[] {"10.50", "10.70", "10.40", "10.60", "2.000", "21.100000", "1.000", "10.550000"};
    return new Row(sym, iv.code(), open, iv.closeOf(open), n, 4, 100, 103, closed, agg);
  }

  static Map<String, StoredState.Seed> judge(List<Row> rows) {
    return StoredState.judge(List.of("AAA"), rows, IVS);
  }

  static List<Row> consistent() {
    List<Row> rows = new ArrayList<>();
    rows.add(row("AAA", Interval.M1, T + 60_000, false, 42L));
    rows.add(row("AAA", Interval.M1, T, true, 40L));
    rows.add(row("AAA", Interval.M5, T, false, 42L));
    return rows;
  }

  @Test
  void theOpenKlinesOfOneMomentSeedTheBookAtTheirAggregateId() {
    StoredState.Seed s = judge(consistent()).get("AAA");
    assertThat(s.usable()).as(s.unusable()).isTrue();
    assertThat(s.lastAggId()).isEqualTo(42);
    assertThat(s.open()).extracting(k -> k.interval).containsExactly(Interval.M1, Interval.M5);
    Kline m1 = s.open().get(0);
    assertThat(m1.openTime).isEqualTo(T + 60_000);
    assertThat(m1.closed).isFalse();
    assertThat(m1.closeDecimal()).isEqualByComparingTo("10.60");
    assertThat(m1.quoteVolumeDecimal()).isEqualByComparingTo("21.1");
    assertThat(m1.count).isEqualTo(4);
    assertThat(m1.firstId).isEqualTo(100);
    assertThat(m1.lastId).isEqualTo(103);
  }

  @Test
  void klinesFromDifferentMomentsAreNotUsed() {
    List<Row> rows = consistent();
    rows.set(2, row("AAA", Interval.M5, T, false, 41L)); // the 5m row's last write was lost
    StoredState.Seed s = judge(rows).get("AAA");
    assertThat(s.usable()).isFalse();
    assertThat(s.corrupt()).isFalse();
    assertThat(s.unusable()).contains("not from one moment").contains("5m");
  }

  @Test
  void nothingStoredAMissingIntervalAClosedLatestOrNoAggregateIdMeanSeedFromTheExchange() {
    assertThat(judge(List.of()).get("AAA").unusable()).isEqualTo("nothing stored");
    assertThat(judge(consistent().subList(0, 2)).get("AAA").unusable()).contains("no stored 5m");
    List<Row> closed = consistent();
    closed.set(2, row("AAA", Interval.M5, T, true, 42L));
    assertThat(judge(closed).get("AAA").unusable()).contains("latest 5m kline is closed");
    List<Row> noAgg = List.of(row("AAA", Interval.M1, T, false, null), row("AAA", Interval.M5, T, false, null));
    assertThat(judge(noAgg).get("AAA").usable()).isFalse();
  }

  @Test
  void aCorruptedRowIsNamedWithWhatIsWrong() {
    List<Row> rows = consistent();
    rows.set(1, row("AAA", Interval.M1, T, true, 40L, "10.50", "10.00", "10.40", "10.60", "2.000", "21.1", "1.000", "10.55"));
    StoredState.Seed s = judge(rows).get("AAA");
    assertThat(s.corrupt()).isTrue();
    assertThat(s.unusable()).startsWith("corrupted row AAA 1m open_time " + T + ": high/low do not bound open/close");

    rows = consistent();
    rows.set(0, row("AAA", Interval.M1, T + 60_000, false, 42L, "x", "10.70", "10.40", "10.60", "2", "21", "1", "10"));
    assertThat(judge(rows).get("AAA").unusable()).contains("'x' is not a number");

    rows = consistent();
    rows.set(0, row("AAA", Interval.M1, T + 60_001, false, 42L));
    assertThat(judge(rows).get("AAA").unusable()).contains("not on a 1m boundary");

    rows = consistent();
    rows.set(0, row("AAA", Interval.M1, T + 60_000, false, 42L, "1", "99999999999999999999999", "1", "1", "1", "1", "1", "1"));
    assertThat(judge(rows).get("AAA").unusable()).contains("out of range");
  }
}
