package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import klagg.core.AggTrade;
import org.junit.jupiter.api.Test;

class SymbolSlotsTest {

  private static AggTrade trade(int sym, long aggId) {
    return new AggTrade().set(sym, aggId, 100, 0, 1, 0, aggId, aggId, 1_000 + aggId, false);
  }

  @Test
  void aSymbolAddedIsSeedingAndAddedOnce() {
    SymbolSlots s = new SymbolSlots(10);
    assertThat(s.add(3, "BTCUSDT", 42)).isTrue();
    assertThat(s.add(3, "ETHUSDT", 43)).isFalse();
    assertThat(s.names[3]).isEqualTo("BTCUSDT");
    assertThat(s.phase[3]).isEqualTo(SymbolSlots.SEEDING);
    assertThat(s.addedAt[3]).isEqualTo(42);
    assertThat(s.known(3)).isTrue();
    assertThat(s.is(3, "BTCUSDT")).isTrue();
    assertThat(s.is(3, "ETHUSDT")).isFalse();
    assertThat(s.known(4)).isFalse();
    assertThat(s.known(-1)).isFalse();
    assertThat(s.known(10_000)).isFalse();
    assertThat(s.notLive()).isEqualTo(1);
  }

  @Test
  void growsForLargeIdsAndKeepsWhatItHeld() {
    SymbolSlots s = new SymbolSlots(10);
    s.add(1, "A", 0);
    s.hold(1, trade(1, 7));
    s.add(1_000, "B", 0);
    assertThat(s.phase.length).isGreaterThan(1_000);
    assertThat(s.names[1]).isEqualTo("A");
    assertThat(s.held(1)).extracting(x -> x.aggId).containsExactly(7L);
  }

  @Test
  void holdsCopiesInIdOrderAndCountsThem() {
    SymbolSlots s = new SymbolSlots(10);
    s.add(0, "A", 0);
    AggTrade reused = new AggTrade();
    for (long id : new long[] {5, 3, 4}) {
      reused.copyFrom(trade(0, id));
      assertThat(s.hold(0, reused)).isTrue();
    }
    assertThat(s.held(0)).extracting(x -> x.aggId).containsExactly(3L, 4L, 5L);
    assertThat(s.bufferedTotal()).isEqualTo(3);
    assertThat(s.held(1)).isNull();
  }

  @Test
  void theBoundDropsTradesAndMarksTheSymbolForACatchUp() {
    SymbolSlots s = new SymbolSlots(2);
    s.add(0, "A", 0);
    s.add(1, "B", 0);
    assertThat(s.hold(0, trade(0, 1))).isTrue();
    assertThat(s.hold(0, trade(0, 2))).isTrue();
    assertThat(s.hold(1, trade(1, 1))).isFalse();
    assertThat(s.bufferDropped()).isEqualTo(1);
    assertThat(s.needResume[1]).isTrue();
    assertThat(s.needResume[0]).isFalse();
    // what is released frees room again
    s.setBuffer(0, null);
    assertThat(s.bufferedTotal()).isZero();
    assertThat(s.hold(1, trade(1, 1))).isTrue();
  }

  @Test
  void setBufferKeepsTheTotalExact() {
    SymbolSlots s = new SymbolSlots(100);
    s.add(0, "A", 0);
    for (long id = 1; id <= 5; id++) {
      s.hold(0, trade(0, id));
    }
    List<AggTrade> b = s.held(0);
    s.setBuffer(0, new java.util.ArrayList<>(b.subList(3, 5)));
    assertThat(s.bufferedTotal()).isEqualTo(2);
  }

  @Test
  void coveredNeedsEveryIdOfTheRange() {
    SymbolSlots s = new SymbolSlots(100);
    s.add(0, "A", 0);
    assertThat(s.covered(0, 1, 1)).isFalse();
    for (long id : new long[] {2, 4, 4, 3}) {
      s.hold(0, trade(0, id));
    }
    assertThat(s.covered(0, 2, 4)).isTrue();
    assertThat(s.covered(0, 3, 3)).isTrue();
    assertThat(s.covered(0, 1, 4)).isFalse(); // 1 missing
    assertThat(s.covered(0, 2, 5)).isFalse(); // 5 missing though four trades are held (a duplicate)
  }

  @Test
  void removeForgetsTheSymbolAndWhatItHeld() {
    SymbolSlots s = new SymbolSlots(100);
    s.add(2, "A", 0);
    s.hold(2, trade(2, 1));
    assertThat(s.remove(2)).isTrue();
    assertThat(s.remove(2)).isFalse();
    assertThat(s.known(2)).isFalse();
    assertThat(s.bufferedTotal()).isZero();
    assertThat(s.notLive()).isZero();
    assertThat(s.add(2, "B", 1)).isTrue(); // the id can be reused
    assertThat(s.held(2)).isNull();
  }
}
