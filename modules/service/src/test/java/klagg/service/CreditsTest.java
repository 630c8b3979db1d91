package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CreditsTest {
  @Test
  void overTheTradeBoundStopsAndUnderTheResumeMarkReadsAgain() {
    Credits c = new Credits(2, 10_000, 100, 2_500);
    long a = c.sent(0, 4_096, 1_000);
    long b = c.sent(0, 4_096, 1_010);
    assertThat(c.over()).isFalse();
    long d = c.sent(0, 4_096, 1_020);
    assertThat(c.over()).as("12288 >= 10000").isTrue();
    assertThat(c.lagTrades(0)).isEqualTo(12_288);
    assertThat(c.lagTrades(1)).isZero();
    assertThat(c.peakTrades()).isEqualTo(12_288);
    c.done(0, a, 4_096);
    assertThat(c.over()).isFalse();
    assertThat(c.canResume()).as("8192 > 2500").isFalse();
    c.done(0, b, 4_096);
    assertThat(c.canResume()).as("4096 > 2500").isFalse();
    c.done(0, d, 4_096);
    assertThat(c.canResume()).isTrue();
    assertThat(c.lagTrades(0)).isZero();
    assertThat(c.lagMs(0, 5_000)).isZero();
    assertThat(c.peakTrades()).isEqualTo(12_288);
  }

  @Test
  void theBatchBoundCountsToo() {
    Credits c = new Credits(1, 1_000_000, 3, 0);
    long[] seq = new long[3];
    for (int i = 0; i < 3; i++) {
      seq[i] = c.sent(0, 1, 0);
    }
    assertThat(c.over()).isTrue();
    assertThat(c.peakBatches()).isEqualTo(3);
    c.done(0, seq[0], 1);
    c.done(0, seq[1], 1);
    assertThat(c.over()).isFalse();
    assertThat(c.canResume()).as("1 trade > resume mark 0").isFalse();
    c.done(0, seq[2], 1);
    assertThat(c.canResume()).isTrue();
  }

  @Test
  void lagMsIsTheAgeOfTheOldestUnacknowledgedBatchEvenWhenAcksComeOutOfOrder() {
    Credits c = new Credits(1, 1_000, 10, 0);
    long s1 = c.sent(0, 10, 1_000);
    long s2 = c.sent(0, 10, 2_000);
    long s3 = c.sent(0, 10, 3_000);
    assertThat(c.lagMs(0, 4_000)).isEqualTo(3_000);
    c.done(0, s2, 10);
    assertThat(c.lagMs(0, 4_000)).as("s1 still open").isEqualTo(3_000);
    c.done(0, s1, 10);
    assertThat(c.lagMs(0, 4_000)).as("s2 done, s3 oldest").isEqualTo(1_000);
    c.done(0, s3, 10);
    assertThat(c.lagMs(0, 4_000)).isZero();
    assertThat(c.lagTrades(0)).isZero();
  }

  @Test
  void aShedWorkerNoLongerHoldsTheOthersBack() {
    Credits c = new Credits(2, 100, 10, 10);
    c.sent(0, 200, 0);
    assertThat(c.over()).isTrue();
    c.shed(0);
    assertThat(c.isShed(0)).isTrue();
    assertThat(c.over()).isFalse();
    assertThat(c.canResume()).isTrue();
    c.sent(1, 50, 0);
    assertThat(c.canResume()).as("worker 1 over the resume mark").isFalse();
    c.unshed(0);
    assertThat(c.over()).isTrue();
    assertThat(c.totalTrades()).isEqualTo(250);
  }

  @Test
  void aLateOrRepeatedCompletionIsIgnoredAndTheRingWraps() {
    Credits c = new Credits(1, 1_000_000, 64, 0);
    for (int i = 0; i < 10_000; i++) {
      long s = c.sent(0, 7, i);
      c.done(0, s, 7);
    }
    assertThat(c.lagTrades(0)).isZero();
    c.done(0, 99_999, 7); // never sent
    assertThat(c.lagTrades(0)).isZero();
    assertThat(c.lagMs(0, 20_000)).isZero();
  }

  @Test
  void boundsAreValidated() {
    assertThatThrownBy(() -> new Credits(1, 0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Credits(1, 10, 1, 11)).isInstanceOf(IllegalArgumentException.class);
  }
}
