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
  int restStatus;
  int restRemaining;
  long skippedTotal;
  long duplicatedTotal;
  long reorderedTotal;
  long malformedTotal;
  long restFaultsTotal;
  long drops;

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
        .put("skipPending", skipAggIds)
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
    restStatus = 0;
    restRemaining = 0;
  }
}
