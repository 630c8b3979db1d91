package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamProofTest {
  static final long T = 1_700_000_040_000L; // a minute open

  static List<AggTrade> trades(long... idTime) {
    List<AggTrade> out = new ArrayList<>();
    for (int i = 0; i < idTime.length; i += 2) {
      out.add(new AggTrade().set(0, idTime[i], 100, 2, 1, 0, idTime[i], idTime[i], idTime[i + 1], false));
    }
    return out;
  }

  @Test
  void consecutiveIdsAcrossAnOpenProveTheWindow() {
    List<AggTrade> b = trades(10, T - 5_000, 11, T - 10, 12, T + 3, 13, T + 9_000);
    int i = StreamProof.lastBefore(b, Interval.M1);
    assertThat(i).isEqualTo(1);
    assertThat(StreamProof.openAfter(b, i, Interval.M1)).isEqualTo(T);
  }

  @Test
  void aTradeExactlyAtTheOpenBelongsToTheNewWindow() {
    List<AggTrade> b = trades(11, T - 1, 12, T);
    assertThat(StreamProof.lastBefore(b, Interval.M1)).isZero();
  }

  @Test
  void aHoleInTheIdsAtTheOpenProvesNothing() {
    // id 12 is missing: it may be a trade before the open that the stream lost
    assertThat(StreamProof.lastBefore(trades(10, T - 5_000, 11, T - 10, 13, T + 3), Interval.M1)).isEqualTo(-1);
  }

  @Test
  void tradesWithinOneWindowProveNothing() {
    assertThat(StreamProof.lastBefore(trades(10, T + 1, 11, T + 2, 12, T + 59_999), Interval.M1)).isEqualTo(-1);
    assertThat(StreamProof.lastBefore(trades(10, T + 1), Interval.M1)).isEqualTo(-1);
    assertThat(StreamProof.lastBefore(trades(), Interval.M1)).isEqualTo(-1);
  }

  @Test
  void theLatestOpenIsChosen() {
    List<AggTrade> b = trades(10, T - 1, 11, T + 1, 12, T + 60_000 - 1, 13, T + 120_000 + 5, 14, T + 120_000 + 6);
    int i = StreamProof.lastBefore(b, Interval.M1);
    assertThat(i).isEqualTo(2);
    // two windows on: the open after the last trade before it, not the next one after that trade
    assertThat(StreamProof.openAfter(b, i, Interval.M1)).isEqualTo(T + 120_000);
  }

  @Test
  void duplicatesDoNotHideTheStraddle() {
    List<AggTrade> b = trades(11, T - 10, 11, T - 10, 12, T + 3, 12, T + 3);
    assertThat(StreamProof.lastBefore(b, Interval.M1)).isEqualTo(1);
  }
}
