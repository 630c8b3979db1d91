package klagg.exchange;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Make-before-break replacement of a {@link StreamClient}'s connections: a connection near the end
 * of its lifetime is rotated (a new one opened and fully subscribed, then the old one closed), a
 * silent one is suspected (its streams reported down) and, if it stays silent, replaced by a spare
 * that takes over once subscribed and delivering. A rotation's new connection that fails leaves the
 * old one in place, rotated again after a backoff; a spare that fails is retried after a backoff.
 * Logs as {@link StreamClient}; runs on its context.
 */
final class StreamReplacer {
  private static final System.Logger log = System.getLogger(StreamClient.class.getName());

  /** What the replacer does through the client. */
  interface Links {
    /** Opens a connection for the slot: its new {@code current}, or its {@code spare}. */
    Future<Void> connect(StreamSlot slot, boolean spare);

    /** Closes a connection on purpose (no reconnect). */
    Future<Void> close(StreamLink link, String why);

    /** Whether the client is closed. */
    boolean closed();
  }

  private final Vertx vertx;
  private final StreamClientOptions options;
  private final StreamClient.Listener listener;
  private final StreamPacker packer;
  private final SubscriptionPump subscriptions;
  private final Backoff backoff;
  private final long rotateAfterMs;
  private final Links links;
  private long silenceTimer = -1;

  private volatile long rotations;
  private volatile long silences;
  private volatile long replacements;
  private volatile long sparesFailed;
  private volatile int suspectedNow;

  StreamReplacer(Vertx vertx, StreamClientOptions options, long rotateAfterMs, StreamClient.Listener listener,
      StreamPacker packer, SubscriptionPump subscriptions, Backoff backoff, Links links) {
    this.vertx = vertx;
    this.options = options;
    this.rotateAfterMs = rotateAfterMs;
    this.listener = listener;
    this.packer = packer;
    this.subscriptions = subscriptions;
    this.backoff = backoff;
    this.links = links;
  }

  /** Starts watching for silent connections (unless silence detection is off); idempotent. */
  void start() {
    if (options.getSilenceMinMs() > 0 && silenceTimer < 0) {
      long every = Math.max(50, Math.min(500, options.getSilenceMinMs() / 4));
      silenceTimer = vertx.setPeriodic(every, id -> checkSilence());
    }
  }

  void stop() {
    cancel(silenceTimer);
    silenceTimer = -1;
  }

  // ---- rotation --------------------------------------------------------------------------------

  /** The slot's newly opened current connection is rotated after the configured lifetime. */
  void scheduleRotation(StreamSlot slot, StreamLink link) {
    scheduleRotation(slot, link, rotateAfterMs);
  }

  private void scheduleRotation(StreamSlot slot, StreamLink link, long delay) {
    cancel(link.rotateTimer);
    link.rotateTimer = vertx.setTimer(delay, id -> {
      link.rotateTimer = -1;
      rotate(slot, link);
    });
  }

  /** Replaces the slot's current connection by a new one (also on the server's shutdown notice). */
  void rotate(StreamSlot slot, StreamLink link) {
    if (links.closed() || slot.removed || slot.current != link || !link.open || slot.retiring != null) {
      return;
    }
    if (slot.spare != null) {
      scheduleRotation(slot, link, 60_000); // a replacement is under way: it resets the lifetime
      return;
    }
    unsuspect(link); // the rotation's new connection announces the streams again
    log.log(System.Logger.Level.INFO, "rotating stream connection " + link.id + " (" + slot.streams.size() + " streams)");
    cancel(link.pumpTimer);
    link.pumpTimer = -1;
    slot.retiring = link;
    slot.current = null;
    links.connect(slot, false);
  }

  /** Every command on the link is acknowledged: a spare that delivers takes over, a rotation completes. */
  void onSynced(StreamLink link) {
    link.synced = true;
    StreamSlot slot = link.slot;
    if (slot.spare == link) {
      if (link.gotFrame) {
        promote(link);
      }
      return;
    }
    if (slot.current == link && slot.retiring != null) {
      StreamLink old = slot.retiring;
      slot.retiring = null;
      rotations++;
      links.close(old, "rotated");
      listener.onRotated(old.id, link.id);
    }
  }

  /**
   * A rotation's new connection failed or dropped: the old one, if still open, is kept and rotated
   * again after a backoff. False if there is none (the caller reconnects).
   */
  boolean fallBack(StreamSlot slot) {
    if (slot.retiring == null || !slot.retiring.open) {
      return false;
    }
    StreamLink old = slot.retiring;
    slot.retiring = null;
    slot.current = old;
    long delay = backoff.delayMs(slot.attempts++);
    old.rotateTimer = vertx.setTimer(delay, id -> {
      old.rotateTimer = -1;
      rotate(slot, old);
    });
    subscriptions.pump(old);
    return true;
  }

  // ---- silence ---------------------------------------------------------------------------------

  /** The link is no longer counted as suspected (it delivers, closes or is replaced). */
  void unsuspect(StreamLink link) {
    if (link.suspected) {
      link.suspected = false;
      suspectedNow--;
    }
  }

  /** A suspected link delivers again: its streams are reported alive if it carries them. */
  void alive(StreamLink link) {
    unsuspect(link);
    log.log(System.Logger.Level.INFO, "stream connection " + link.id + " delivers again");
    if (link.slot.current == link) {
      listener.onAlive(link.id, link.slot.streamsCopy());
    }
  }

  /** The link's first frame: a subscribed spare has proved itself and takes over. */
  void firstFrame(StreamLink link) {
    link.gotFrame = true;
    if (link.spare && link.synced && link.slot.spare == link) {
      promote(link);
    }
  }

  /**
   * Periodically: a slot's connection that went silent is suspected (its streams reported down);
   * one silent for {@code replaceAfterMs} gets a spare. Skipped during a rotation and while reading
   * is paused by us.
   */
  private void checkSilence() {
    long now = System.currentTimeMillis();
    for (StreamSlot s : packer.slots()) {
      StreamLink l = s.current;
      if (s.removed || l == null || !l.open || l.closing || s.retiring != null) {
        continue;
      }
      if (!l.suspected && l.judge.silent()) {
        l.suspected = true;
        suspectedNow++;
        silences++;
        long silent = l.judge.silentForMs();
        log.log(System.Logger.Level.WARNING, "stream connection " + l.id + " silent for " + silent + " ms (usual gap "
            + Math.round(l.judge.typicalGapMs()) + " ms): " + s.streams.size() + " streams held as down");
        listener.onSilent(l.id, s.streamsCopy(), silent);
      }
      if (l.suspected && s.spare == null && options.getReplaceAfterMs() > 0
          && l.judge.silentForMs() >= options.getReplaceAfterMs() && now >= s.nextSpareAt) {
        log.log(System.Logger.Level.WARNING, "stream connection " + l.id + " silent for " + l.judge.silentForMs()
            + " ms: opening a replacement");
        links.connect(s, true);
      }
    }
  }

  /** A spare is open: it is subscribed, and dropped if it does not deliver within {@code replaceAfterMs}. */
  void spareOpened(StreamSlot slot, StreamLink link) {
    // a spare that does not deliver within replaceAfterMs is silent too: dropped, retried later
    link.spareTimer = vertx.setTimer(options.getReplaceAfterMs(), id -> {
      link.spareTimer = -1;
      if (slot.spare == link) {
        links.close(link, "spare silent too");
        spareLost(slot, link, "silent too");
      }
    });
    subscriptions.pump(link);
  }

  /** A spare failed to connect, closed or stayed silent: the next one after a backoff. */
  void spareLost(StreamSlot slot, StreamLink spare, String why) {
    if (slot.spare != spare) {
      return;
    }
    slot.spare = null;
    sparesFailed++;
    long delay = backoff.delayMs(slot.spareAttempts++);
    slot.nextSpareAt = System.currentTimeMillis() + delay;
    log.log(System.Logger.Level.WARNING, "replacement " + spare.id + " for stream connection "
        + (slot.current == null ? "-" : slot.current.id) + " failed (" + why + "); next try in " + delay + " ms");
  }

  /** The spare is subscribed and delivering: it takes over, the silent connection is closed. */
  private void promote(StreamLink link) {
    StreamSlot slot = link.slot;
    StreamLink old = slot.current;
    slot.spare = null;
    link.spare = false;
    cancel(link.spareTimer);
    link.spareTimer = -1;
    slot.current = link;
    slot.spareAttempts = 0;
    slot.nextSpareAt = 0;
    replacements++;
    scheduleRotation(slot, link, rotateAfterMs);
    log.log(System.Logger.Level.INFO, "stream connection " + link.id + " replaces silent connection "
        + (old == null ? "-" : old.id) + " (" + slot.streams.size() + " streams)");
    listener.onConnected(link.id, slot.streamsCopy());
    if (old != null) {
      slot.lastJudge = old.judge;
      links.close(old, "replaced: silent");
      listener.onReplaced(old.id, link.id);
    }
    subscriptions.pump(link); // streams changed while it was a spare
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // ---- counters --------------------------------------------------------------------------------

  long rotations() {
    return rotations;
  }

  long silences() {
    return silences;
  }

  long replacements() {
    return replacements;
  }

  long sparesFailed() {
    return sparesFailed;
  }

  int suspectedNow() {
    return suspectedNow;
  }
}
