package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CycleHistogramTest {
  private static final long MS = 1_000_000L;

  @Test
  void emptyReadsZero() {
    CycleHistogram h = new CycleHistogram();
    assertThat(h.count()).isZero();
    assertThat(h.percentileMs(0.5)).isZero();
    assertThat(h.percentileMs(0.99)).isZero();
    assertThat(h.maxMs()).isZero();
  }

  @Test
  void percentilesAreTheUpperEdgeOfTheirBucket() {
    CycleHistogram h = new CycleHistogram();
    // 100 cycles: 1..100 ms minus a little (0.5 ms into each bucket)
    for (int i = 0; i < 100; i++) {
      h.record(i * MS + MS / 2);
    }
    assertThat(h.count()).isEqualTo(100);
    assertThat(h.percentileMs(0.50)).isEqualTo(50.0); // the 50th cycle is 49.5 ms: bucket 49 -> 50
    assertThat(h.percentileMs(0.99)).isEqualTo(99.0);
    assertThat(h.percentileMs(1.0)).isEqualTo(100.0);
    assertThat(h.maxMs()).isEqualTo(99.5);
    for (int i = 0; i < 100; i++) {
      assertThat(h.bucket(i)).isEqualTo(1);
    }
  }

  @Test
  void skewedCounts() {
    CycleHistogram h = new CycleHistogram();
    for (int i = 0; i < 990; i++) {
      h.record(3 * MS + 10);
    }
    for (int i = 0; i < 10; i++) {
      h.record(17 * MS);
    }
    assertThat(h.percentileMs(0.50)).isEqualTo(4.0);
    assertThat(h.percentileMs(0.99)).isEqualTo(4.0);
    assertThat(h.percentileMs(0.991)).isEqualTo(18.0);
    assertThat(h.maxMs()).isEqualTo(17.0);
  }

  @Test
  void overflowBucketHoldsLongCyclesAndReadsAsTheMax() {
    CycleHistogram h = new CycleHistogram();
    h.record(2 * MS);
    h.record(999 * MS + 1); // last 1 ms bucket
    h.record(1000 * MS); // overflow
    h.record(5_000 * MS); // overflow
    h.record(-5); // counts as 0
    assertThat(h.bucket(0)).isEqualTo(1);
    assertThat(h.bucket(999)).isEqualTo(1);
    assertThat(h.bucket(CycleHistogram.MS_BUCKETS)).isEqualTo(2);
    assertThat(h.count()).isEqualTo(5);
    assertThat(h.percentileMs(0.6)).isEqualTo(1000.0);
    assertThat(h.percentileMs(0.99)).isEqualTo(5000.0);
    assertThat(h.maxMs()).isEqualTo(5000.0);
  }

  @Test
  void resetEmptiesIt() {
    CycleHistogram h = new CycleHistogram();
    h.record(7 * MS);
    h.reset();
    assertThat(h.count()).isZero();
    assertThat(h.bucket(7)).isZero();
    assertThat(h.maxMs()).isZero();
  }

  @Test
  void jsonRoundTripAndWindowDifference() {
    CycleHistogram h = new CycleHistogram();
    for (int i = 0; i < 10; i++) {
      h.record(40 * MS);
    }
    CycleHistogram before = CycleHistogram.fromJson(h.toJson());
    assertThat(before.count()).isEqualTo(10);
    assertThat(before.bucket(40)).isEqualTo(10);
    assertThat(before.maxMs()).isEqualTo(40.0);
    for (int i = 0; i < 100; i++) {
      h.record(2 * MS + i);
    }
    h.record(6 * MS);
    CycleHistogram window = CycleHistogram.fromJson(h.toJson()).minus(before);
    assertThat(window.count()).isEqualTo(101);
    assertThat(window.bucket(40)).isZero();
    assertThat(window.percentileMs(0.5)).isEqualTo(3.0);
    assertThat(window.percentileMs(0.99)).isEqualTo(3.0);
    assertThat(window.maxMs()).isEqualTo(7.0); // the upper edge of the window's highest bucket
    assertThat(h.toJson().getLong("count")).isEqualTo(111L);
    assertThat(h.toJson().getDouble("p99Ms")).isEqualTo(41.0);
  }
}
