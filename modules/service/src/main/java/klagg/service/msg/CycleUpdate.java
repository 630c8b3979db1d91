package klagg.service.msg;

import java.util.List;
import klagg.core.KlineDelta;

/**
 * What one gateway cycle changed: the workers' deltas, as received (immutable, shared by reference
 * with every local consumer).
 */
public final class CycleUpdate {
  private final long cycle;
  private final long serverTime;
  private final List<KlineDelta> deltas;

  public CycleUpdate(long cycle, long serverTime, List<KlineDelta> deltas) {
    this.cycle = cycle;
    this.serverTime = serverTime;
    this.deltas = List.copyOf(deltas);
  }

  public long cycle() {
    return cycle;
  }

  public long serverTime() {
    return serverTime;
  }

  public List<KlineDelta> deltas() {
    return deltas;
  }

  public int rows() {
    int n = 0;
    for (KlineDelta d : deltas) {
      n += d.size();
    }
    return n;
  }
}
