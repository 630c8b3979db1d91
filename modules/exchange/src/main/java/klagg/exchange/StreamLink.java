package klagg.exchange;

import io.vertx.core.Vertx;
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

  /** Stops reading (back-pressure): the judge stops counting the silence. */
  void pause() {
    judge.pause();
    if (ws != null && open) {
      ws.pause();
    }
  }

  /** Reads again: silence is measured afresh from now. */
  void resume() {
    judge.resume();
    if (ws != null && open) {
      ws.resume();
    }
  }

  /** Cancels its timers: command pacing, rotation, a spare's deadline. */
  void cancelTimers(Vertx vertx) {
    cancel(vertx, pumpTimer);
    cancel(vertx, rotateTimer);
    cancel(vertx, spareTimer);
    pumpTimer = -1;
    rotateTimer = -1;
    spareTimer = -1;
  }

  private static void cancel(Vertx vertx, long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Why it closed, for the listener and the log. */
  String closeReason() {
    if (ws == null) {
      return "closed";
    }
    Short code = ws.closeStatusCode();
    String r = ws.closeReason();
    if (code == null) {
      return "connection lost";
    }
    return "closed by server: " + code + (r == null || r.isEmpty() ? "" : " " + r);
  }
}
