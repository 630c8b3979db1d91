package klagg.service.web;

import java.util.HashMap;
import java.util.Map;

/**
 * Which outbound addresses event-bus bridge clients (SockJS, TCP) are registered on, per socket, so
 * the web verticle builds and publishes a kline event only for an address somebody listens on: at
 * 1,000 symbols a cycle changes ~8,000 klines, and an event each for nobody was a third of the
 * service's allocation. Owned by the web event loop (bridge events arrive on it).
 */
final class BridgeInterest {
  private final Map<Object, Map<String, Integer>> bySocket = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();

  void register(Object socket, String address) {
    bySocket.computeIfAbsent(socket, s -> new HashMap<>()).merge(address, 1, Integer::sum);
    counts.merge(address, 1, Integer::sum);
  }

  void unregister(Object socket, String address) {
    Map<String, Integer> mine = bySocket.get(socket);
    if (mine == null || !mine.containsKey(address)) {
      return;
    }
    if (mine.merge(address, -1, Integer::sum) <= 0) {
      mine.remove(address);
    }
    drop(address, 1);
  }

  /** The socket is gone: every registration it held goes with it. */
  void closed(Object socket) {
    Map<String, Integer> mine = bySocket.remove(socket);
    if (mine != null) {
      mine.forEach(this::drop);
    }
  }

  private void drop(String address, int n) {
    if (counts.merge(address, -n, Integer::sum) <= 0) {
      counts.remove(address);
    }
  }

  boolean isEmpty() {
    return counts.isEmpty();
  }

  boolean has(String address) {
    return counts.containsKey(address);
  }

  /** Registrations in all (for status). */
  int registrations() {
    int n = 0;
    for (int c : counts.values()) {
      n += c;
    }
    return n;
  }
}
