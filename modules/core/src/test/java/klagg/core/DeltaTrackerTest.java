package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaTrackerTest {
  static List<Integer> pending(DeltaTracker d) {
    List<Integer> out = new ArrayList<>();
    for (int c = d.nextPending(0); c >= 0; c = d.nextPending(c + 1)) {
      out.add(c);
    }
    return out;
  }

  @Test
  void pendingCellsComeOutInOrderAcrossWords() {
    DeltaTracker d = new DeltaTracker();
    d.grow(200);
    d.mark(130);
    d.mark(0);
    d.mark(63);
    d.mark(64);
    d.mark(199);
    assertThat(pending(d)).containsExactly(0, 63, 64, 130, 199);
    assertThat(d.nextPending(200)).isEqualTo(-1);
  }

  @Test
  void anUnacknowledgedDeltaIsSentAgainAndAnAcknowledgedOneIsConfirmed() {
    DeltaTracker d = new DeltaTracker();
    d.grow(128);
    d.mark(5);
    assertThat(d.next(0)).isEqualTo(1);
    d.sent();
    assertThat(d.unconfirmed(5)).as("in flight").isTrue();
    d.mark(7);
    assertThat(d.next(0)).as("not acknowledged").isEqualTo(2);
    assertThat(pending(d)).containsExactly(5, 7);
    d.sent();
    assertThat(d.next(2)).isEqualTo(3);
    assertThat(pending(d)).isEmpty();
    assertThat(d.unconfirmed(5)).isFalse();
    assertThat(d.epoch()).isEqualTo(3);
  }

  @Test
  void aForgottenCellIsNeitherPendingNorInFlight() {
    DeltaTracker d = new DeltaTracker();
    d.grow(64);
    d.mark(3);
    d.next(0);
    d.sent();
    d.mark(3);
    d.forget(3);
    assertThat(d.unconfirmed(3)).isFalse();
    assertThat(d.next(0)).isEqualTo(2);
    assertThat(pending(d)).isEmpty();
  }

  @Test
  void growingKeepsTheMarks() {
    DeltaTracker d = new DeltaTracker();
    d.grow(10);
    d.mark(9);
    d.grow(1000);
    d.mark(999);
    assertThat(pending(d)).containsExactly(9, 999);
  }
}
