package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClockOffsetTest {
  @Test
  void theFastestRoundTripWinsOverASampleQueuedAtTheServer() {
    // true offset +1000: server time = local + 1000
    ClockOffset c = new ClockOffset();
    // request queued 300 ms at the server before it stamped, answered at once: midpoint is 150 ms early
    assertThat(c.add(0, 1_000 + 300, 302)).isTrue();
    assertThat(c.offset()).isEqualTo(1_149);
    // a quick sample: 4 ms round trip, stamped in the middle
    c.add(1_000, 2_000 + 2, 1_004);
    // a slow one again, skewed the other way
    c.add(2_000, 3_000 + 5, 2_400);
    assertThat(c.offset()).isEqualTo(1_000);
    assertThat(c.roundTrip()).isEqualTo(4);
    assertThat(c.samples()).isEqualTo(3);
  }

  @Test
  void aSampleWhoseReplyCameBeforeItsRequestIsIgnored() {
    ClockOffset c = new ClockOffset();
    assertThat(c.roundTrip()).isEqualTo(-1);
    assertThat(c.add(100, 5_000, 90)).isFalse();
    assertThat(c.samples()).isZero();
    assertThat(c.offset()).isZero();
    c.add(100, 5_000, 100);
    assertThat(c.offset()).isEqualTo(4_900);
    assertThat(c.roundTrip()).isZero();
  }
}
