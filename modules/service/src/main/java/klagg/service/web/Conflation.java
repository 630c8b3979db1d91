package klagg.service.web;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What waits for one client whose write queue is full, conflated: per key (stream or address) the
 * latest version of at most the two newest klines by open time (the just-closed one's last version
 * and the open one's), in the order the keys first waited. Bounded by the keys a client listens to.
 * Shared by the WebSocket hub and the event-bus bridges' guard. Owned by the web event loop.
 */
final class Conflation<T> {
  /** The two newest versions of one key. */
  private static final class Two<T> {
    long olderTime = Long.MIN_VALUE;
    T older;
    long newerTime = Long.MIN_VALUE;
    T newer;
  }

  private final LinkedHashMap<String, Two<T>> pending = new LinkedHashMap<>();

  /**
   * Queues {@code item} (a kline of open time {@code time}; any constant for a key with one version)
   * and returns what it supersedes: the replaced version, or {@code item} itself when two newer klines
   * already wait; {@code null} when nothing was superseded.
   */
  T put(String key, long time, T item) {
    Two<T> p = pending.computeIfAbsent(key, k -> new Two<>());
    T dropped;
    if (p.newer == null || time == p.newerTime) {
      dropped = p.newer;
      p.newerTime = time;
      p.newer = item;
    } else if (time > p.newerTime) {
      dropped = p.older;
      p.olderTime = p.newerTime;
      p.older = p.newer;
      p.newerTime = time;
      p.newer = item;
    } else if (p.older == null || time >= p.olderTime) {
      dropped = p.older;
      p.olderTime = time;
      p.older = item;
    } else {
      dropped = item;
    }
    return dropped;
  }

  /** Hands what waits to {@code write}, oldest key first, while {@code full} is false. */
  void drain(Consumer<T> write, BooleanSupplier full) {
    Iterator<Two<T>> it = pending.values().iterator();
    while (it.hasNext() && !full.getAsBoolean()) {
      Two<T> p = it.next();
      if (p.older != null) {
        T o = p.older;
        p.older = null;
        write.accept(o);
        if (full.getAsBoolean()) {
          break;
        }
      }
      write.accept(p.newer);
      it.remove();
    }
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** Forgets what waits for {@code key}. */
  void remove(String key) {
    pending.remove(key);
  }

  /** Forgets everything that waits. */
  void clear() {
    pending.clear();
  }

  /** Forgets everything, handing each waiting item to {@code discarded}. */
  void clear(Consumer<T> discarded) {
    for (Two<T> p : pending.values()) {
      if (p.older != null) {
        discarded.accept(p.older);
      }
      if (p.newer != null) {
        discarded.accept(p.newer);
      }
    }
    pending.clear();
  }
}
