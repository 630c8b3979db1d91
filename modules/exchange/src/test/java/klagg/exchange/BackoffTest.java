package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(500, 30_000);

  @Test
  void doublesPerAttemptWithinJitterOfHalfToFull() {
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delayMs(0)).isBetween(250L, 500L);
      assertThat(backoff.delayMs(1)).isBetween(500L, 1000L);
      assertThat(backoff.delayMs(3)).isBetween(2000L, 4000L);
    }
  }

  @Test
  void isCappedAtTheMaximumForLateAttempts() {
    for (int attempt : new int[] {6, 30, 31, 63, Integer.MAX_VALUE}) {
      for (int i = 0; i < 50; i++) {
        assertThat(backoff.delayMs(attempt)).as("attempt %d", attempt).isBetween(15_000L, 30_000L);
      }
    }
  }

  @Test
  void isJittered() {
    long first = backoff.delayMs(5);
    boolean differs = false;
    for (int i = 0; i < 100 && !differs; i++) {
      differs = backoff.delayMs(5) != first;
    }
    assertThat(differs).as("100 delays for one attempt are not all the same").isTrue();
  }

  @Test
  void neverBelowOneMillisecond() {
    Backoff tiny = new Backoff(1, 1);
    for (int i = 0; i < 50; i++) {
      assertThat(tiny.delayMs(0)).isEqualTo(1);
      assertThat(tiny.delayMs(40)).isEqualTo(1);
    }
  }
}
