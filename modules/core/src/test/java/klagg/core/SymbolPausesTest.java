package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The record of paused symbols; what a pause does to klines is in {@link KlineClockTest}. */
class SymbolPausesTest {
  SymbolPauses pauses(int slots) {
    SymbolPauses p = new SymbolPauses();
    p.grow(slots);
    for (int s = 0; s < slots; s++) {
      p.reset(s);
    }
    return p;
  }

  @Test
  void aHaltEndsByUnhaltOrByATradeAtOrAfterIt() {
    SymbolPauses p = pauses(3);
    p.halt(0, 1_000);
    p.halt(1, 1_000);
    assertThat(p.haltedCount()).isEqualTo(2);
    p.traded(0, 999);
    assertThat(p.halted(0)).as("a trade from before the halt").isTrue();
    p.traded(0, 1_000);
    assertThat(p.halted(0)).isFalse();
    assertThat(p.unhalt(1)).isTrue();
    assertThat(p.unhalt(1)).as("not halted any more").isFalse();
    assertThat(p.unhalt(2)).isFalse();
    assertThat(p.haltedCount()).isZero();
  }

  @Test
  void suspensionIsApartFromHaltsAndAReusedSlotStartsClean() {
    SymbolPauses p = pauses(2);
    p.suspend(1);
    p.halt(1, 5);
    assertThat(p.suspended(1)).isTrue();
    assertThat(p.suspended(0)).isFalse();
    p.forget(1);
    assertThat(p.halted(1)).isFalse();
    assertThat(p.haltedCount()).isZero();
    p.reset(1);
    assertThat(p.suspended(1)).isFalse();
    p.suspend(0);
    p.unsuspend(0);
    assertThat(p.suspended(0)).isFalse();
    p.grow(4);
    assertThat(p.suspended(0)).isFalse();
  }
}
