package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdGapsTest {
  @Test
  void rangesFillIdByIdFromEitherEndOrTheMiddle() {
    IdGaps g = new IdGaps();
    assertThat(g.any()).isFalse();
    g.open(0, 10, 14);
    g.open(1, 3, 3);
    assertThat(g.any()).isTrue();
    assertThat(g.fill(0, 9)).isFalse();
    assertThat(g.fill(1, 10)).as("another slot's range").isFalse();
    assertThat(g.fill(0, 10)).isTrue();
    assertThat(g.fill(0, 14)).isTrue();
    assertThat(g.fill(0, 12)).isTrue();
    assertThat(g.of(0)).isDeepEqualTo(new long[][] {{11, 11}, {13, 13}});
    assertThat(g.fill(0, 12)).as("already there").isFalse();
    g.forget(0);
    assertThat(g.of(0)).isEmpty();
    assertThat(g.fill(1, 3)).isTrue();
    assertThat(g.any()).isFalse();
    assertThat(g.gaps()).isEqualTo(2);
    assertThat(g.idsMissing()).isEqualTo(6);
    assertThat(g.idsFilled()).isEqualTo(4);
  }

  @Test
  void pastTheBoundTheOldestRangeIsForgotten() {
    IdGaps g = new IdGaps();
    for (int i = 0; i <= IdGaps.MAX_GAPS; i++) {
      g.open(0, 2L * i, 2L * i);
    }
    assertThat(g.fill(0, 0)).as("the oldest went").isFalse();
    assertThat(g.fill(0, 2L * IdGaps.MAX_GAPS)).isTrue();
  }
}
