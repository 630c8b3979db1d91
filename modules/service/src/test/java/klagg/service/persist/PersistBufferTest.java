package klagg.service.persist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.persist.KlineBuffer.Key;
import org.junit.jupiter.api.Test;

/** The buffer alone: coalescing, batch selection, retries, the drop policy. */
class PersistBufferTest {
  final List<String> dropped = new ArrayList<>();

  KlineBuffer buffer(int max) {
    return new KlineBuffer(max, (k, row) -> dropped.add((row.closed ? "closed " : "open ") + k.openTime()));
  }

  static void put(KlineBuffer b, long openTime, boolean closed, long volume) {
    Kline k = Rows.kline(0, Interval.M1, openTime, closed, openTime);
    k.volume = volume;
    KlineDelta d = new KlineDelta.Builder(1).add(k).build(0);
    b.put(new Key("BTCUSDT", Interval.M1, openTime), d, 0);
  }

  static List<Long> times(KlineBuffer.Batch b) {
    return b.keys.stream().map(Key::openTime).toList();
  }

  @Test
  void lastWriteWinsPerKeyAndClosedGoFirst() {
    KlineBuffer b = buffer(100);
    for (int v = 1; v <= 50; v++) {
      put(b, 1, false, v);
      put(b, 2, false, v);
    }
    put(b, 3, true, 7);
    assertThat(b.pending()).isEqualTo(3);
    KlineBuffer.Batch batch = b.take(10);
    assertThat(times(batch)).containsExactly(3L, 1L, 2L);
    assertThat(batch.rows.get(1).volume).isEqualTo(50);
    b.done(batch);
    assertThat(b.isEmpty()).isTrue();
  }

  @Test
  void aKeyIsNeverInTwoBatchesAndFailedRowsComeBackUnlessNewer() {
    KlineBuffer b = buffer(100);
    put(b, 1, false, 1);
    put(b, 2, false, 1);
    KlineBuffer.Batch first = b.take(10);
    put(b, 1, false, 2); // a newer version while the first is in flight
    put(b, 4, false, 1);
    assertThat(times(b.take(10))).as("the symbol's rows wait for its batch").isEmpty();
    b.failed(first);
    // key 1's newer version stays; key 2 comes back, ahead of younger rows
    KlineBuffer.Batch retry = b.take(10);
    assertThat(times(retry)).containsExactly(2L, 1L, 4L);
    assertThat(retry.rows.get(1).volume).isEqualTo(2);
  }

  static void put(KlineBuffer b, String symbol, Interval iv, long openTime, boolean closed) {
    Kline k = Rows.kline(0, iv, openTime, closed, openTime);
    b.put(new Key(symbol, iv, openTime), new KlineDelta.Builder(1).add(k).build(0), 0);
  }

  @Test
  void aBatchTakesEveryWaitingRowOfEachSymbolItTakes() {
    KlineBuffer b = buffer(100);
    for (String s : List.of("AAA", "BBB", "CCC")) {
      put(b, s, Interval.M5, 0, false);
      put(b, s, Interval.M1, 60_000, false);
    }
    put(b, "BBB", Interval.M1, 0, true); // a closed row: its symbol goes first, with all its open rows
    KlineBuffer.Batch first = b.take(2);
    assertThat(first.keys).extracting(Key::symbol).containsExactly("BBB", "BBB", "BBB");
    KlineBuffer.Batch second = b.take(1);
    assertThat(second.keys).extracting(Key::symbol).containsExactly("AAA", "AAA");
    put(b, "AAA", Interval.M1, 60_000, false); // AAA changes while its rows are in flight
    KlineBuffer.Batch third = b.take(10);
    assertThat(third.keys).as("AAA waits whole for its batch").extracting(Key::symbol).containsExactly("CCC", "CCC");
    b.done(second);
    assertThat(b.take(10).keys).extracting(Key::symbol).containsExactly("AAA");
  }

  @Test
  void anOpenUpdateNeverReplacesAClosedKline() {
    KlineBuffer b = buffer(100);
    put(b, 1, true, 5);
    put(b, 1, false, 6);
    KlineBuffer.Batch batch = b.take(10);
    put(b, 1, false, 7); // while the closed one is in flight
    assertThat(b.pending()).isZero();
    assertThat(b.staleIgnored()).isEqualTo(2);
    assertThat(batch.rows.get(0).volume).isEqualTo(5);
  }

  @Test
  void overflowDropsOldestOpenThenOldestClosed() {
    KlineBuffer b = buffer(4);
    put(b, 1, true, 1);
    put(b, 2, false, 1);
    put(b, 3, false, 1);
    put(b, 4, true, 1);
    put(b, 5, false, 1);
    assertThat(dropped).containsExactly("open 2");
    put(b, 6, true, 1);
    put(b, 7, true, 1);
    assertThat(dropped).containsExactly("open 2", "open 3", "open 5");
    put(b, 8, true, 1);
    assertThat(dropped).containsExactly("open 2", "open 3", "open 5", "closed 1");
    assertThat(b.depth()).isEqualTo(4);
  }

  @Test
  void openRowsInFlightShieldClosedOnes() {
    KlineBuffer b = buffer(3);
    put(b, 1, true, 1);
    put(b, 2, false, 1);
    put(b, 3, false, 1);
    KlineBuffer.Batch batch = b.take(10); // all three in flight
    put(b, 4, true, 1);
    put(b, 5, true, 1);
    assertThat(dropped).isEmpty(); // over the bound by the rows in flight, rather than drop a closed kline
    assertThat(b.depth()).isEqualTo(5);
    b.failed(batch); // the open ones come back and go first
    assertThat(dropped).containsExactly("open 2", "open 3");
    assertThat(b.depth()).isEqualTo(3);
    assertThat(times(b.take(10))).containsExactly(1L, 4L, 5L);
  }
}
