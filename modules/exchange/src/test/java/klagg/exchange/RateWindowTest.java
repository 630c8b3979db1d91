package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateWindowTest {
  @Test
  void slidingWindowCountsForcedMessages() {
    RateWindow w = new RateWindow(4, 1000);
    for (int i = 0; i < 4; i++) {
      assertThat(w.canSend(100 + i)).isTrue();
      w.record(100 + i);
    }
    assertThat(w.canSend(500)).isFalse();
    assertThat(w.nextFree(500)).isEqualTo(1100);
    w.record(500); // forced (pong): 5 in window
    assertThat(w.inWindow(500)).isEqualTo(5);
    assertThat(w.canSend(600)).isFalse();
    // two must expire (100 and 101) before a fifth message fits under 4
    assertThat(w.nextFree(600)).isEqualTo(1101);
    assertThat(w.canSend(1100)).isFalse();
    assertThat(w.canSend(1101)).isTrue();
  }
}
