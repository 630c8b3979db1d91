package klagg.service.persist;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineDelta;

/**
 * The rows waiting to be written, coalesced by key (symbol, interval, open time; last write wins),
 * with a bound on pending + in-flight rows. Over the bound it drops the oldest open (non-closed) row,
 * and a closed row only when no open row is left to drop. Rows of a failed batch come back unless a
 * newer version is waiting. A symbol is never in two batches at once, so batches never race each other
 * and each batch holds all of a symbol's waiting rows.
 * Not thread-safe: owned by one verticle.
 */
public final class KlineBuffer {
  /** A row's identity. */
  public record Key(String symbol, Interval interval, long openTime) {
    @Override
    public String toString() {
      return symbol + " " + interval.code() + " " + openTime;
    }
  }

  /** Told about every row the bound forces out. */
  public interface DropListener {
    void dropped(Key key, Kline row);
  }

  /** Rows taken for one statement. */
  public static final class Batch {
    public final List<Key> keys;
    public final List<Kline> rows;

    Batch(int n) {
      keys = new ArrayList<>(n);
      rows = new ArrayList<>(n);
    }

    /** An empty batch to fill directly (bulk writers outside the service, e.g. replay --db). */
    public static Batch of(int capacity) {
      return new Batch(capacity);
    }

    public Batch add(Key key, Kline row) {
      keys.add(key);
      rows.add(row);
      return this;
    }

    public int size() {
      return keys.size();
    }
  }

  private LinkedHashMap<Key, Kline> open = new LinkedHashMap<>();
  private LinkedHashMap<Key, Kline> closed = new LinkedHashMap<>();
  private final HashMap<Key, Kline> inFlight = new HashMap<>();
  /** Rows in flight per symbol: a symbol with rows in flight is not taken again until they are done. */
  private final HashMap<String, Integer> inFlightBySymbol = new HashMap<>();
  private int inFlightOpen;
  private final int maxRows;
  private final DropListener onDrop;
  private long staleIgnored;

  public KlineBuffer(int maxRows, DropListener onDrop) {
    this.maxRows = maxRows;
    this.onDrop = onDrop;
  }

  /** Rows waiting (not in flight). */
  public int pending() {
    return open.size() + closed.size();
  }

  public int pendingClosed() {
    return closed.size();
  }

  /** Pending + in flight: the buffer depth the bound applies to. */
  public int depth() {
    return pending() + inFlight.size();
  }

  public boolean isEmpty() {
    return depth() == 0;
  }

  /** Open updates that came after the closed version of the same kline (ignored: closed is final). */
  public long staleIgnored() {
    return staleIgnored;
  }

  /** Adds row {@code i} of {@code d} under {@code key}, replacing a waiting version. */
  public void put(Key key, KlineDelta d, int i) {
    if (d.closed(i)) {
      Kline k = open.remove(key);
      if (k == null) {
        k = closed.get(key);
      }
      if (k == null) {
        k = new Kline();
      }
      d.get(i, k);
      closed.put(key, k);
    } else {
      if (closed.containsKey(key)) {
        staleIgnored++;
        return;
      }
      Kline f = inFlight.get(key);
      if (f != null && f.closed) {
        staleIgnored++;
        return;
      }
      Kline k = open.get(key);
      if (k == null) {
        k = new Kline();
        d.get(i, k);
        open.put(key, k);
      } else {
        d.get(i, k);
      }
    }
    enforce();
  }

  /**
   * Drops the oldest waiting open rows while over the bound; the oldest closed ones only when no open
   * row is left anywhere (open rows in flight either get written, freeing room, or come back and go
   * first) or when the waiting rows alone exceed the bound. So the depth may pass the bound by the
   * rows in flight at most.
   */
  private void enforce() {
    while (depth() > maxRows && pending() > 0) {
      LinkedHashMap<Key, Kline> from;
      if (!open.isEmpty()) {
        from = open;
      } else if (inFlightOpen == 0 || pending() > maxRows) {
        from = closed;
      } else {
        return;
      }
      Iterator<Map.Entry<Key, Kline>> it = from.entrySet().iterator();
      Map.Entry<Key, Kline> e = it.next();
      it.remove();
      onDrop.dropped(e.getKey(), e.getValue());
    }
  }

  /**
   * Takes up to {@code max} waiting rows, closed ones first, oldest first, whole symbols at a time:
   * once a row of a symbol is taken, every waiting row of that symbol goes into the same batch (so
   * the batch may pass {@code max} by one symbol's rows), and a symbol with rows in flight waits
   * whole. One batch is one statement, so the database always holds each symbol's klines as of one
   * moment (a restart seeds from them). The batch is in flight until {@link #done} or {@link #failed}.
   */
  public Batch take(int max) {
    // waiting rows by symbol, symbols with closed rows first, each in the order it was first met
    LinkedHashMap<String, List<Key>> bySymbol = new LinkedHashMap<>();
    for (LinkedHashMap<Key, Kline> m : List.of(closed, open)) {
      for (Key k : m.keySet()) {
        if (!inFlightBySymbol.containsKey(k.symbol())) {
          bySymbol.computeIfAbsent(k.symbol(), x -> new ArrayList<>()).add(k);
        }
      }
    }
    Batch b = new Batch(Math.min(max, pending()));
    for (Map.Entry<String, List<Key>> g : bySymbol.entrySet()) {
      if (b.size() >= max) {
        break;
      }
      for (Key k : g.getValue()) {
        Kline row = closed.remove(k);
        if (row == null) {
          row = open.remove(k);
        }
        b.keys.add(k);
        b.rows.add(row);
        inFlight.put(k, row);
        if (!row.closed) {
          inFlightOpen++;
        }
      }
      inFlightBySymbol.put(g.getKey(), g.getValue().size());
    }
    return b;
  }

  /** The batch is stored. */
  public void done(Batch b) {
    for (Key k : b.keys) {
      release(k);
    }
  }

  private void release(Key k) {
    Kline r = inFlight.remove(k);
    if (r == null) {
      return;
    }
    if (!r.closed) {
      inFlightOpen--;
    }
    inFlightBySymbol.computeIfPresent(k.symbol(), (x, n) -> n == 1 ? null : n - 1);
  }

  /**
   * The batch failed: its rows wait again, ahead of the younger waiting rows (unless a newer version of
   * the same key waits), then the bound applies.
   */
  public void failed(Batch b) {
    LinkedHashMap<Key, Kline> backOpen = new LinkedHashMap<>();
    LinkedHashMap<Key, Kline> backClosed = new LinkedHashMap<>();
    for (int i = 0; i < b.size(); i++) {
      Key k = b.keys.get(i);
      Kline row = b.rows.get(i);
      release(k);
      if (closed.containsKey(k) || (!row.closed && open.containsKey(k))) {
        continue; // a newer version waits
      }
      if (row.closed) {
        open.remove(k); // an open version after a closed one is stale
        backClosed.put(k, row);
      } else {
        backOpen.put(k, row);
      }
    }
    if (!backClosed.isEmpty()) {
      backClosed.putAll(closed);
      closed = backClosed;
    }
    if (!backOpen.isEmpty()) {
      backOpen.putAll(open);
      open = backOpen;
    }
    enforce();
  }

  /** Every key not yet written (pending and in flight), closed ones flagged; for the stop report. */
  public List<Map.Entry<Key, Kline>> unwritten() {
    List<Map.Entry<Key, Kline>> out = new ArrayList<>(depth());
    out.addAll(inFlight.entrySet());
    out.addAll(closed.entrySet());
    out.addAll(open.entrySet());
    return out;
  }
}
