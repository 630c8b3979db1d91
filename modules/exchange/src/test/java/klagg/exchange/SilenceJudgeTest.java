package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The silence judgement alone, on a hand-driven clock. */
class SilenceJudgeTest {
  private long now = 1_000_000;

  private SilenceJudge judge() {
    return new SilenceJudge(() -> now, 3_000, 5, 30_000);
  }

  /** Frames every {@code gap} ms for {@code total} ms; returns how often the judge called it silent. */
  private int steady(SilenceJudge j, long gap, long total) {
    int silent = 0;
    for (long t = 0; t < total; t += gap) {
      for (long k = 0; k < gap; k += Math.max(1, Math.min(gap, 100))) {
        now += Math.min(Math.max(1, Math.min(gap, 100)), gap - k);
        if (j.silent()) {
          silent++;
        }
      }
      j.frame();
    }
    return silent;
  }

  /** Advances the clock to the first moment the judge says silent; returns the silence then. */
  private long silenceUntilSuspected(SilenceJudge j, long limit) {
    long start = now;
    while (!j.silent()) {
      now++;
      assertThat(now - start).as("suspected within %d ms", limit).isLessThanOrEqualTo(limit);
    }
    return now - start;
  }

  @Test
  void aNewConnectionIsJudgedByThePingScheduleOnly() {
    SilenceJudge j = judge();
    assertThat(j.learned()).isFalse();
    assertThat(j.threshold()).isEqualTo(30_000);
    now += 29_000;
    assertThat(j.silent()).isFalse();
    now += 1_001;
    assertThat(j.silent()).isTrue();
  }

  @Test
  void aBusyConnectionIsSuspectedAfterTheMinimum() {
    SilenceJudge j = judge();
    assertThat(steady(j, 10, 20_000)).isZero();
    assertThat(j.learned()).isTrue();
    assertThat(j.threshold()).isEqualTo(3_000);
    assertThat(silenceUntilSuspected(j, 10_000)).isEqualTo(3_001);
  }

  @Test
  void aOneMessagePerSecondConnectionIsSuspectedAfterAFewSeconds() {
    SilenceJudge j = judge();
    assertThat(steady(j, 1_000, 60_000)).isZero();
    assertThat(j.typicalGapMs()).isBetween(990.0, 1_010.0);
    assertThat(silenceUntilSuspected(j, 10_000)).isBetween(4_900L, 5_100L);
  }

  @Test
  void burstsThenLullsAreNotSilence() {
    SilenceJudge j = judge();
    int silent = 0;
    for (int cycle = 0; cycle < 60; cycle++) {
      for (int i = 0; i < 20; i++) {
        now += 5;
        j.frame();
      }
      for (int k = 0; k < 199; k++) {
        now += 100;
        if (j.learned() && j.silent()) {
          silent++;
        }
      }
    }
    assertThat(silent).as("checks that called a 20 s lull silence").isZero();
    assertThat(j.typicalGapMs()).isGreaterThan(15_000);
    now += 30_001;
    assertThat(j.silent()).as("a lull past the ping bound").isTrue();
  }

  @Test
  void aPingOnlyConnectionIsSuspectedOnlyWhenPingsStop() {
    SilenceJudge j = judge();
    assertThat(steady(j, 20_000, 600_000)).isZero();
    assertThat(j.threshold()).isEqualTo(30_000);
    assertThat(silenceUntilSuspected(j, 40_000)).isEqualTo(30_001);
  }

  @Test
  void randomTradesAtOnePerSecondAreRarelySuspected() {
    SilenceJudge j = judge();
    Random r = new Random(7);
    int suspicions = 0;
    for (int i = 0; i < 36_000; i++) { // ~10 h
      long gap = Math.max(1, (long) (-Math.log(1 - r.nextDouble()) * 1_000));
      boolean was = false;
      for (long k = 0; k < gap; k += 250) {
        now += Math.min(250, gap - k);
        if (!was && j.silent()) {
          was = true;
          suspicions++;
        }
      }
      j.frame();
    }
    assertThat(suspicions).as("false suspicions in 10 h of 1 trade/s").isLessThanOrEqualTo(5);
  }

  @Test
  void anOutageIsNotLearnedAsTheUsualRhythm() {
    SilenceJudge j = judge();
    steady(j, 10, 20_000);
    now += 60_000;
    assertThat(j.silent()).isTrue();
    j.frame();
    assertThat(j.silent()).isFalse();
    steady(j, 10, 1_000);
    assertThat(j.threshold()).as("still a busy connection").isEqualTo(3_000);
    assertThat(silenceUntilSuspected(j, 10_000)).isEqualTo(3_001);
  }

  @Test
  void aConnectionThatGotQuieterIsLearnedWithinAFewLulls() {
    SilenceJudge j = judge();
    steady(j, 10, 20_000);
    int suspicions = 0;
    for (int lull = 0; lull < 20; lull++) {
      boolean was = false;
      for (int k = 0; k < 80; k++) {
        now += 100;
        if (!was && j.silent()) {
          was = true;
          suspicions++;
        }
      }
      j.frame();
    }
    assertThat(suspicions).as("8 s lulls suspected before they are learned").isBetween(1, 4);
    assertThat(j.threshold()).isGreaterThan(8_000);
  }

  @Test
  void pausedReadingIsNeverSilenceAndResumeMeasuresAfresh() {
    SilenceJudge j = judge();
    steady(j, 10, 20_000);
    j.pause();
    assertThat(j.paused()).isTrue();
    now += 120_000;
    assertThat(j.silent()).isFalse();
    j.frame(); // a frame already buffered: not learned while paused
    j.resume();
    assertThat(j.threshold()).isEqualTo(3_000);
    now += 3_000;
    assertThat(j.silent()).isFalse();
    now += 1;
    assertThat(j.silent()).isTrue();
  }

  @Test
  void restartMeasuresFromTheOpen() {
    SilenceJudge j = judge();
    now += 25_000;
    j.restart();
    now += 29_000;
    assertThat(j.silent()).isFalse();
    assertThat(j.silentForMs()).isEqualTo(29_000);
  }

  @Test
  void aSuccessorInheritsTheRhythm() {
    SilenceJudge j = judge();
    steady(j, 10, 20_000);
    SilenceJudge next = judge();
    assertThat(next.threshold()).isEqualTo(30_000);
    next.inherit(j);
    assertThat(next.learned()).isTrue();
    assertThat(next.threshold()).isEqualTo(3_000);
    next.inherit(null);
    assertThat(next.threshold()).isEqualTo(3_000);
  }

  @Test
  void theUpperBoundWinsOverMinimumAndRate() {
    SilenceJudge j = new SilenceJudge(() -> now, 3_000, 5, 2_000);
    steady(j, 1_000, 60_000);
    assertThat(j.threshold()).isEqualTo(2_000);
    SilenceJudge q = new SilenceJudge(() -> now, 3_000, 5, 30_000);
    steady(q, 10_000, 120_000);
    assertThat(q.threshold()).isEqualTo(30_000);
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> new SilenceJudge(() -> 0, 0, 5, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SilenceJudge(() -> 0, 1, 0.5, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SilenceJudge(() -> 0, 1, 5, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SilenceJudge(() -> 0, 1, 5, 1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
