package klagg.sim;

import io.vertx.core.json.JsonObject;

/**
 * Active fault state. Mutated on the simulator's context only (through {@link Simulator#applyFaults}
 * or the admin endpoint).
 */
public final class Faults {
  /** Wall-clock ms until which connections are stalled (0 = none). */
  long stallUntil;
  int malformedFrames;
  int duplicateTrades;
  int reorderTrades;
  int skipAggIds;
  /** Per-symbol skips (symbol name → trades still to withhold from the stream). */
  final java.util.Map<String, Integer> skipBySymbol = new java.util.HashMap<>();
  /** Pending exchangeInfo fault: "empty", "garbage" or "partial" (null: none), for the next N answers. */
  String exchangeInfoFault;
  int exchangeInfoRemaining;
  /** Share of the symbols a partial answer keeps (the first ones). */
  double exchangeInfoKeep = 0.5;
  long exchangeInfoFaultsTotal;
  int restStatus;
  int restRemaining;
  long skippedTotal;
  long duplicatedTotal;
  long reorderedTotal;
  long malformedTotal;
  long restFaultsTotal;
  long drops;

  /** Withholds one trade of {@code symbol} from the stream if a per-symbol skip is pending. */
  boolean skipOne(String symbol) {
    Integer n = skipBySymbol.get(symbol);
    if (n == null) {
      return false;
    }
    if (n <= 1) {
      skipBySymbol.remove(symbol);
    } else {
      skipBySymbol.put(symbol, n - 1);
    }
    skippedTotal++;
    return true;
  }

  boolean stalled() {
    return stallUntil != 0 && System.currentTimeMillis() < stallUntil;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("stalled", stalled())
        .put("stallRemainingMs", stalled() ? stallUntil - System.currentTimeMillis() : 0)
        .put("malformedPending", malformedFrames)
        .put("duplicatePending", duplicateTrades)
        .put("reorderPending", reorderTrades)
        .put("skipPending", skipAggIds + skipBySymbol.values().stream().mapToInt(Integer::intValue).sum())
        .put("exchangeInfoFault", exchangeInfoRemaining > 0 ? exchangeInfoFault : null)
        .put("exchangeInfoPending", exchangeInfoRemaining)
        .put("exchangeInfoFaultsTotal", exchangeInfoFaultsTotal)
        .put("restStatus", restStatus)
        .put("restPending", restRemaining)
        .put("skippedTotal", skippedTotal)
        .put("duplicatedTotal", duplicatedTotal)
        .put("reorderedTotal", reorderedTotal)
        .put("malformedTotal", malformedTotal)
        .put("restFaultsTotal", restFaultsTotal)
        .put("connectionDrops", drops);
  }

  void clear() {
    stallUntil = 0;
    malformedFrames = 0;
    duplicateTrades = 0;
    reorderTrades = 0;
    skipAggIds = 0;
    skipBySymbol.clear();
    restStatus = 0;
    restRemaining = 0;
    exchangeInfoFault = null;
    exchangeInfoRemaining = 0;
  }
}
