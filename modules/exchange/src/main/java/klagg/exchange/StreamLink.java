package klagg.exchange;

import io.vertx.core.http.WebSocket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One WebSocket connection of a {@link StreamSlot}: what the server sends on it ({@code serverSet},
 * commands not yet acknowledged), its send budget, its timers, the message being assembled from
 * frames and the judge of its silences.
 */
final class StreamLink {
  final int id;
  final StreamSlot slot;
  final RateWindow rate;
  final Set<String> serverSet = new HashSet<>();
  final Map<Long, Boolean> unacked = new HashMap<>();
  final MessageAssembler in;
  final SilenceJudge judge;
  WebSocket ws;
  boolean open;
  boolean closing;
  boolean synced;
  long openedAt;
  long pumpTimer = -1;
  long rotateTimer = -1;
  /** a spare for a silent connection: not announced until subscribed and delivering */
  boolean spare;
  boolean gotFrame;
  boolean suspected;
  long spareTimer = -1;

  StreamLink(int id, StreamSlot slot, SilenceJudge judge, RateWindow rate, MessageAssembler in) {
    this.id = id;
    this.slot = slot;
    this.judge = judge;
    this.rate = rate;
    this.in = in;
  }
}
