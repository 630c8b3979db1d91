package klagg.core;

import java.util.List;

/**
 * Whether a symbol's buffered stream trades prove that the stream holds every trade since a window's
 * open, so that a seed needs no aggregate trades from REST (only the closed klines before it): two
 * buffered trades with consecutive aggregate ids on either side of the finest interval's open
 * {@code X} show that the first is the last trade before {@code X} and that every later trade is in
 * the stream (ids have no holes, and times do not go back as ids go up).
 */
public final class StreamProof {
  private StreamProof() {}

  /**
   * The index of the last trade before the latest window open that the trades straddle with
   * consecutive ids, or -1 if they straddle none.
   *
   * @param byId trades sorted by aggregate id (duplicates allowed)
   * @param fine the finest interval: its windows are what a seed starts from
   */
  public static int lastBefore(List<AggTrade> byId, Interval fine) {
    for (int i = byId.size() - 2; i >= 0; i--) {
      AggTrade l = byId.get(i);
      AggTrade f = byId.get(i + 1);
      if (f.aggId == l.aggId + 1 && fine.openOf(l.time) < fine.openOf(f.time)) {
        return i;
      }
    }
    return -1;
  }

  /** The window open the trade at {@code lastBefore(byId, fine)} comes before. */
  public static long openAfter(List<AggTrade> byId, int lastBefore, Interval fine) {
    return fine.openOf(byId.get(lastBefore + 1).time);
  }
}
