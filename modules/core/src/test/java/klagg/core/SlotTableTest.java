package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The book's symbol table on its own, with a subclass that records what it is told. */
class SlotTableTest {
  static final class Recording extends SlotTable {
    final List<Integer> grownTo = new ArrayList<>();
    final List<Integer> cleared = new ArrayList<>();

    Recording(int n) {
      allocSlots(n);
    }

    @Override
    void growSlots(int n) {
      grownTo.add(n);
    }

    @Override
    void clearSlot(int s) {
      cleared.add(s);
    }
  }

  @Test
  void aNewSymbolGetsTheNextSlotItsScalesAndNoAggregateIdYet() {
    Recording t = new Recording(4);
    assertThat(t.slotFor(7, 2, 5)).isEqualTo(0);
    assertThat(t.slotFor(3, 8, 1)).isEqualTo(1);
    assertThat(t.slotOf(7)).isEqualTo(0);
    assertThat(t.slotOf(3)).isEqualTo(1);
    assertThat(t.pScale[1]).isEqualTo((byte) 8);
    assertThat(t.qScale[1]).isEqualTo((byte) 1);
    assertThat(t.lastAggId(3)).isEqualTo(-1);
    assertThat(t.symbolCount()).isEqualTo(2);
    assertThat(t.cleared).containsExactly(0, 1);
  }

  @Test
  void askingAgainForAHeldSymbolKeepsItsSlotAndState() {
    Recording t = new Recording(4);
    int s = t.slotFor(7, 2, 5);
    t.setLastAggId(7, 41);
    assertThat(t.slotFor(7, 6, 6)).isEqualTo(s);
    assertThat(t.lastAggId(7)).isEqualTo(41);
    assertThat(t.pScale[s]).isEqualTo((byte) 2);
    assertThat(t.cleared).containsExactly(s);
    assertThat(t.symbolCount()).isEqualTo(1);
  }

  @Test
  void unknownAndOutOfRangeSymbolsHaveNoSlotAndANegativeIdIsRefused() {
    Recording t = new Recording(4);
    t.slotFor(2, 0, 0);
    assertThat(t.slotOf(1)).isEqualTo(-1);
    assertThat(t.slotOf(1_000_000)).isEqualTo(-1);
    assertThat(t.slotOf(-1)).isEqualTo(-1);
    assertThat(t.contains(1_000_000)).isFalse();
    assertThat(t.lastAggId(-5)).isEqualTo(-1);
    t.setLastAggId(99, 5); // not held: nothing to set, nothing thrown
    assertThat(t.contains(99)).isFalse();
    assertThatThrownBy(() -> t.slotFor(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative symbol id -1");
  }

  @Test
  void aFreedSlotIsTheNextHandedOutAndClearedAgain() {
    Recording t = new Recording(4);
    t.slotFor(10, 0, 0);
    int s = t.slotFor(11, 0, 0);
    t.slotFor(12, 0, 0);
    t.setLastAggId(11, 900);
    t.freeSlot(s);
    assertThat(t.contains(11)).isFalse();
    assertThat(t.symbolCount()).isEqualTo(2);
    assertThat(t.slotFor(13, 4, 4)).isEqualTo(s);
    assertThat(t.lastAggId(13)).isEqualTo(-1);
    assertThat(t.slotLimit).isEqualTo(3);
    assertThat(t.cleared).containsExactly(0, 1, 2, s);
  }

  @Test
  void theTableDoublesWhenFullKeepingEverySlotsStateAndTellsTheSubclass() {
    Recording t = new Recording(4);
    for (int sym = 0; sym < 9; sym++) {
      t.slotFor(sym * 3, sym % 4, 8);
      t.setLastAggId(sym * 3, 100L + sym);
    }
    assertThat(t.grownTo).containsExactly(4, 8, 16);
    assertThat(t.used.length).isEqualTo(16);
    for (int sym = 0; sym < 9; sym++) {
      int s = t.slotOf(sym * 3);
      assertThat(s).isEqualTo(sym);
      assertThat(t.slotSymbol[s]).isEqualTo(sym * 3);
      assertThat(t.pScale[s]).isEqualTo((byte) (sym % 4));
      assertThat(t.lastAggId(sym * 3)).isEqualTo(100L + sym);
    }
  }

  @Test
  void manySymbolsFreedAndTakenAgainNeverShareASlot() {
    Recording t = new Recording(4);
    for (int sym = 0; sym < 40; sym++) {
      t.slotFor(sym, 0, 0);
    }
    for (int sym = 0; sym < 40; sym += 2) {
      t.freeSlot(t.slotOf(sym));
    }
    for (int sym = 100; sym < 120; sym++) {
      t.slotFor(sym, 0, 0);
    }
    assertThat(t.symbolCount()).isEqualTo(40);
    assertThat(t.slotLimit).isEqualTo(40);
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int sym = 1; sym < 40; sym += 2) {
      assertThat(seen.add(t.slotOf(sym))).isTrue();
    }
    for (int sym = 100; sym < 120; sym++) {
      assertThat(seen.add(t.slotOf(sym))).as("symbol %d", sym).isTrue();
    }
  }
}
