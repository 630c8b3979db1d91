package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import klagg.service.SymbolRefresh.Result;
import org.junit.jupiter.api.Test;

class SymbolRefreshTest {
  long now = 1_000_000;
  final SymbolRefresh r = new SymbolRefresh(() -> now, 0.1, 5_000);

  @Test
  void anOrdinaryAnswerIsActedOn() {
    assertThat(r.judge(100, 100, 0)).isEqualTo(Result.OK);
    assertThat(r.judge(101, 100, 10)).as("exactly the threshold").isEqualTo(Result.OK);
    assertThat(r.holding()).isFalse();
    assertThat(r.count(Result.OK)).isEqualTo(2);
  }

  @Test
  void anEmptyAnswerIsHeldAndAnOrdinaryOneClearsTheHold() {
    assertThat(r.judge(0, 100, 100)).isEqualTo(Result.HELD);
    assertThat(r.holding()).isTrue();
    assertThat(r.heldReason()).contains("no symbol");
    now += 10_000;
    assertThat(r.judge(100, 100, 0)).isEqualTo(Result.OK);
    assertThat(r.holding()).isFalse();
    // a new suspicious answer starts a new hold, however long ago the first one was
    assertThat(r.judge(0, 100, 100)).isEqualTo(Result.HELD);
  }

  @Test
  void aLargeRemovalIsActedOnOnlyWhenConfirmedLateEnough() {
    assertThat(r.judge(80, 100, 20)).isEqualTo(Result.HELD);
    assertThat(r.heldSince()).isEqualTo(1_000_000);
    assertThat(r.confirmableAt()).isEqualTo(1_005_000);
    now += 4_999;
    assertThat(r.judge(80, 100, 20)).as("too soon to confirm").isEqualTo(Result.HELD);
    assertThat(r.heldSince()).as("the first answer's time counts").isEqualTo(1_000_000);
    now += 1;
    assertThat(r.judge(80, 100, 20)).isEqualTo(Result.CONFIRMED);
    assertThat(r.holding()).isFalse();
    assertThat(r.count(Result.HELD)).isEqualTo(2);
    assertThat(r.count(Result.CONFIRMED)).isEqualTo(1);
  }

  @Test
  void failuresAreCountedAndDoNotTouchTheHold() {
    r.judge(0, 10, 10);
    assertThat(r.failed()).isEqualTo(Result.FAILED);
    assertThat(r.holding()).isTrue();
    assertThat(r.count(Result.FAILED)).isEqualTo(1);
    assertThat(r.total()).isEqualTo(2);
  }

  @Test
  void nothingTrackedYetAndShareZeroAndBadShare() {
    assertThat(r.judge(5, 0, 0)).isEqualTo(Result.OK);
    SymbolRefresh strict = new SymbolRefresh(() -> now, 0, 0);
    assertThat(strict.judge(9, 10, 1)).isEqualTo(Result.HELD);
    assertThat(strict.judge(9, 10, 1)).as("confirmAfterMs 0: the next answer confirms").isEqualTo(Result.CONFIRMED);
    assertThatThrownBy(() -> new SymbolRefresh(() -> now, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
