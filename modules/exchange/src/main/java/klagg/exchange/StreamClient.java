package klagg.exchange;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Manages the exchange WebSocket connections for a set of combined-stream names
 * ({@code btcusdt@aggTrade}, {@code !miniTicker@arr}).
 *
 * <ul>
 *   <li>Streams are packed onto as few connections as the per-connection limit allows; each
 *       connection connects to {@code /stream} (the first {@code maxStreamsInUrl} streams in the
 *       URL) and SUBSCRIBEs the rest, many params per command.
 *   <li>Every message a connection sends (SUBSCRIBE/UNSUBSCRIBE and the pongs) goes through a
 *       sliding one-second window of {@code maxMessagesPerSecond} (default: the venue limit minus a
 *       margin, 4 of 5). Vert.x answers pings itself, echoing the payload; each ping seen is recorded
 *       in the window so the pong counts against the budget.
 *   <li>A dropped connection is reported ({@link Listener#onDisconnected} lists its streams) and
 *       reconnected with jittered exponential backoff, then resubscribed.
 *   <li>Before its lifetime ends a connection is rotated: a new one is opened and fully subscribed
 *       (every SUBSCRIBE acknowledged) first, then the old one is closed. Messages may be
 *       duplicated during the overlap, never lost.
 *   <li>Messages are handed over as bytes, never as a String: complete text/binary messages, with
 *       continuation frames reassembled into a reusable per-connection array. Command replies
 *       ({@code {"result":…,"id":…}}) are consumed here.
 * </ul>
 *
 * <p>Single-threaded: state lives on the Vert.x context current at construction (create it inside
 * the owning verticle). Public methods may be called from elsewhere; they hop onto that context.
 *
 * <p>This class keeps the connections' life cycle (open, close, reconnect); the other jobs are
 * {@link StreamSettings}, {@link StreamPacker}, {@link StreamConnector}, {@link SubscriptionPump},
 * {@link StreamReplacer}, {@link FrameReader} (frames → messages, the hot path) and {@link Backoff}.
 */
public final class StreamClient {
  private static final System.Logger log = System.getLogger(StreamClient.class.getName());

  /** Receives messages and connection life-cycle events, on the client's context. */
  public interface Listener {
    /**
     * One complete message. {@code bytes} is reused after the call returns: copy what must be kept.
     */
    void onMessage(int connId, byte[] bytes, int off, int len);

    /** Connection {@code connId} is open; {@code streams} are being (or are) delivered on it. */
    default void onConnected(int connId, Set<String> streams) {}

    /**
     * Connection {@code connId} died unplanned; {@code streams} get no data until a later
     * {@link #onConnected} lists them (a dead feed, not a quiet market).
     */
    default void onDisconnected(int connId, Set<String> streams, String reason) {}

    /** A planned rotation finished: {@code newConnId} carries the streams, {@code oldConnId} closed. */
    default void onRotated(int oldConnId, int newConnId) {}

    /** The exchange rejected a command ({@code {"error":{…},"id":…}}). */
    default void onCommandError(int connId, String response) {}

    /**
     * Connection {@code connId} is open but went silent for {@code silentMs} (see
     * {@link SilenceJudge}): treat {@code streams} as down until {@link #onAlive} or an
     * {@link #onConnected} that lists them.
     */
    default void onSilent(int connId, Set<String> streams, long silentMs) {}

    /** A connection reported {@link #onSilent} delivers again. */
    default void onAlive(int connId, Set<String> streams) {}

    /**
     * A silent connection was replaced: {@code newConnId} (announced by {@link #onConnected} just
     * before) carries its streams and has delivered; {@code oldConnId} is closed.
     */
    default void onReplaced(int oldConnId, int newConnId) {}
  }

  private final Vertx vertx;
  private final Context context;
  private final StreamClientOptions options;
  private final Listener listener;
  private final StreamConnector connector;
  private final SubscriptionPump subscriptions;
  private final StreamReplacer replacer;
  private final FrameReader reader;
  private final StreamSettings settings;
  private final Backoff backoff;

  private final StreamPacker packer;
  private boolean started;
  private boolean closed;
  /** reading of every connection paused by the listener (back-pressure) */
  private boolean readingPaused;
  private volatile long pauses;

  private volatile long reconnects;
  private volatile long disconnects;
  private volatile int openConnections;

  public StreamClient(Vertx vertx, ExchangeEndpoints endpoints, StreamClientOptions options, Listener listener) {
    StreamSettings settings = StreamSettings.of(endpoints, options);
    this.settings = settings;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = options;
    this.listener = listener;
    this.backoff = new Backoff(options.getReconnectBaseMs(), options.getReconnectMaxMs());
    this.packer = new StreamPacker(settings.streamsPerConnection());
    this.connector = new StreamConnector(vertx, endpoints, settings, options);
    this.subscriptions = new SubscriptionPump(vertx, options, listener, this::onSynced);
    this.replacer = new StreamReplacer(vertx, options, settings.rotateAfterMs(), listener, packer, subscriptions,
        backoff, new StreamReplacer.Links() {
          @Override
          public Future<Void> connect(StreamSlot slot, boolean spare) {
            return StreamClient.this.connect(slot, spare);
          }

          @Override
          public Future<Void> close(StreamLink link, String why) {
            return closeLink(link, why);
          }

          @Override
          public boolean closed() {
            return closed;
          }
        });
    this.reader = new FrameReader(listener, subscriptions, replacer);
  }

  // ---- public API ----------------------------------------------------------------------------

  /**
   * Opens connections for the streams subscribed so far (later {@link #subscribe} calls connect at
   * once). Succeeds when each has connected once; fails if a first attempt fails (reconnecting goes
   * on in the background).
   */
  public Future<Void> start() {
    Promise<Void> p = Promise.promise();
    onContext(() -> {
      if (closed) {
        p.fail(new IllegalStateException("StreamClient closed"));
        return;
      }
      started = true;
      replacer.start();
      List<Future<Void>> firsts = new ArrayList<>();
      for (StreamSlot s : packer.slots()) {
        if (!s.streams.isEmpty() && s.current == null && s.retryTimer < 0) {
          firsts.add(connect(s));
        }
      }
      Future.all(firsts).<Void>mapEmpty().onComplete(p);
    });
    return p.future();
  }

  /** Adds streams (already subscribed ones are ignored). */
  public void subscribe(Collection<String> streams) {
    List<String> copy = new ArrayList<>(streams);
    onContext(() -> {
      if (closed) {
        return;
      }
      Set<StreamSlot> touched = packer.add(copy);
      if (started) {
        for (StreamSlot s : touched) {
          if (s.current == null) {
            if (s.retryTimer < 0) {
              connect(s);
            }
          } else {
            subscriptions.pump(s.current);
          }
        }
      }
    });
  }

  /** Removes streams; a connection left with none is closed. */
  public void unsubscribe(Collection<String> streams) {
    List<String> copy = new ArrayList<>(streams);
    onContext(() -> {
      Set<StreamSlot> touched = packer.remove(copy);
      for (StreamSlot s : touched) {
        if (s.streams.isEmpty()) {
          removeSlot(s);
        } else if (s.current != null) {
          subscriptions.pump(s.current);
        }
      }
    });
  }

  /** Streams currently wanted (subscribed or being subscribed); a snapshot, safe from any thread. */
  public Set<String> subscribed() {
    return packer.streams();
  }

  /** Open WebSocket connections (during a rotation both old and new count). */
  public int connectionCount() {
    return openConnections;
  }

  /** Logical connections (groups of at most the per-connection limit of streams). */
  public int slotCount() {
    return packer.slotCount();
  }

  /**
   * Back-pressure: stops reading every connection (current, retiring, spare, and any opened while
   * paused), so the exchange's TCP sends back up instead of frames piling up in memory. A paused
   * connection is never judged silent. Idempotent; call on or off the client's context.
   */
  public void pauseReading() {
    onContext(() -> {
      if (readingPaused || closed) {
        return;
      }
      readingPaused = true;
      pauses++;
      for (StreamSlot s : packer.slots()) {
        s.pauseLinks();
      }
    });
  }

  /** Ends {@link #pauseReading}: reading resumes, silence is measured afresh from now. */
  public void resumeReading() {
    onContext(() -> {
      if (!readingPaused) {
        return;
      }
      readingPaused = false;
      for (StreamSlot s : packer.slots()) {
        s.resumeLinks();
      }
    });
  }

  /** Whether reading is paused by {@link #pauseReading}. */
  public boolean readingPaused() {
    return readingPaused;
  }

  /** Times reading was paused. */
  public long pauses() {
    return pauses;
  }

  public Future<Void> close() {
    Promise<Void> p = Promise.promise();
    onContext(() -> {
      closed = true;
      replacer.stop();
      List<Future<Void>> fs = new ArrayList<>();
      for (StreamSlot s : packer.slots()) {
        s.removed = true;
        cancel(s.retryTimer);
        s.retryTimer = -1;
        fs.add(closeLink(s.current, "client closed"));
        fs.add(closeLink(s.retiring, "client closed"));
        fs.add(closeLink(s.spare, "client closed"));
      }
      packer.clear();
      Future.join(fs).eventually(() -> connector.close()).<Void>mapEmpty().onComplete(ar -> p.complete());
    });
    return p.future();
  }

  // counters

  public long messages() {
    return reader.messages();
  }

  /** Reconnect attempts after a dropped or failed connection. */
  public long reconnects() {
    return reconnects;
  }

  /** Completed rotations. */
  public long rotations() {
    return replacer.rotations();
  }

  /** Unplanned disconnects. */
  public long disconnects() {
    return disconnects;
  }

  /** Pings received (each answered with a pong by Vert.x). */
  public long pings() {
    return reader.pings();
  }

  public long commandsSent() {
    return subscriptions.commandsSent();
  }

  public long commandErrors() {
    return subscriptions.commandErrors();
  }

  public long oversizeDropped() {
    return reader.oversizeDropped();
  }

  /** Exceptions thrown by {@link Listener#onMessage} (caught and logged; the connection goes on). */
  public long listenerErrors() {
    return reader.listenerErrors();
  }

  /** Connections suspected silent (open, nothing arriving), since start. */
  public long silences() {
    return replacer.silences();
  }

  /** Silent connections replaced by a spare that delivered. */
  public long replacements() {
    return replacer.replacements();
  }

  /** Spares that failed to connect or stayed silent themselves (retried with backoff). */
  public long sparesFailed() {
    return replacer.sparesFailed();
  }

  /** Connections suspected silent right now. */
  public int suspectedConnections() {
    return replacer.suspectedNow();
  }

  /** Effective per-connection send budget, messages per second. */
  public int messagesPerSecondBudget() {
    return settings.msgsPerSecond();
  }

  public int streamsPerConnection() {
    return settings.streamsPerConnection();
  }

  // ---- connections ---------------------------------------------------------------------------

  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  private Future<Void> connect(StreamSlot slot) {
    return connect(slot, false);
  }

  private Future<Void> connect(StreamSlot slot, boolean spare) {
    StreamLink link = connector.newLink(slot);
    link.spare = spare;
    if (spare) {
      slot.spare = link;
    } else {
      slot.current = link;
    }
    List<String> urlStreams = connector.urlStreams(slot.streams);
    return connector.open(urlStreams).<Void>transform(ar -> {
      if (ar.failed()) {
        log.log(System.Logger.Level.WARNING, "stream connection " + link.id + " to " + connector.address() + " failed: " + ar.cause());
        if (slot.spare == link) {
          replacer.spareLost(slot, link, "connect failed: " + ar.cause());
        } else if (slot.current == link) {
          slot.current = null;
          if (!slot.removed && !closed) {
            successorLost(slot, "connect failed: " + ar.cause());
          }
        }
        return Future.failedFuture(ar.cause());
      }
      WebSocket ws = ar.result();
      if (closed || slot.removed || (spare ? slot.spare : slot.current) != link) {
        ws.close((short) 1000, "not needed");
        return Future.succeededFuture();
      }
      link.ws = ws;
      link.open = true;
      link.openedAt = System.currentTimeMillis();
      openConnections++;
      link.serverSet.addAll(urlStreams);
      FrameReader frames = reader;
      ws.frameHandler(f -> frames.onFrame(link, f));
      ws.exceptionHandler(t -> log.log(System.Logger.Level.DEBUG, "stream connection " + link.id + ": " + t));
      ws.closeHandler(v -> onClosed(link));
      link.judge.restart(); // silence is measured from the open
      if (readingPaused) {
        link.pause();
      }
      if (spare) {
        replacer.spareOpened(slot, link);
        return Future.succeededFuture();
      }
      replacer.scheduleRotation(slot, link);
      listener.onConnected(link.id, slot.streamsCopy());
      subscriptions.pump(link);
      return Future.succeededFuture();
    });
  }

  /** The slot's current link failed or dropped: fall back to the retiring one, or reconnect. */
  private void successorLost(StreamSlot slot, String reason) {
    if (!replacer.fallBack(slot)) {
      scheduleReconnect(slot);
    }
  }

  private void scheduleReconnect(StreamSlot slot) {
    if (slot.retryTimer >= 0 || slot.removed || closed) {
      return;
    }
    long delay = backoff.delayMs(slot.attempts++);
    slot.retryTimer = vertx.setTimer(delay, id -> {
      slot.retryTimer = -1;
      if (!slot.removed && !closed && slot.current == null && !slot.streams.isEmpty()) {
        reconnects++;
        connect(slot);
      }
    });
  }

  private void onSynced(StreamLink link) {
    replacer.onSynced(link);
  }

  private void onClosed(StreamLink link) {
    if (link.open) {
      link.open = false;
      openConnections--;
    }
    link.cancelTimers(vertx);
    replacer.unsuspect(link);
    if (link.closing || closed) {
      return;
    }
    StreamSlot slot = link.slot;
    if (slot.spare == link) {
      replacer.spareLost(slot, link, link.closeReason());
      return;
    }
    if (slot.current == link && slot.spare != null) {
      // the silent connection died before its spare proved itself: an ordinary reconnect follows
      StreamLink sp = slot.spare;
      slot.spare = null;
      closeLink(sp, "replaced connection closed");
    }
    slot.lastJudge = link.judge;
    String reason = link.closeReason();
    if (slot.removed) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now - link.openedAt >= options.getStableAfterMs()) {
      slot.attempts = 0;
    }
    if (slot.retiring == link) {
      slot.retiring = null;
      if (slot.current == null || !slot.current.open) {
        disconnects++;
        listener.onDisconnected(link.id, slot.streamsCopy(), reason);
      }
      return;
    }
    if (slot.current == link) {
      slot.current = null;
      if (slot.retiring != null && slot.retiring.open) {
        successorLost(slot, reason);
        return;
      }
      disconnects++;
      log.log(System.Logger.Level.WARNING, "stream connection " + link.id + " closed: " + reason + "; reconnecting");
      listener.onDisconnected(link.id, slot.streamsCopy(), reason);
      scheduleReconnect(slot);
    }
  }

  private Future<Void> closeLink(StreamLink link, String why) {
    if (link == null) {
      return Future.succeededFuture();
    }
    link.closing = true;
    link.cancelTimers(vertx);
    replacer.unsuspect(link);
    if (link.ws == null || !link.open) {
      return Future.succeededFuture();
    }
    link.open = false;
    openConnections--;
    return link.ws.close((short) 1000, why).otherwiseEmpty();
  }

  private void removeSlot(StreamSlot s) {
    s.removed = true;
    cancel(s.retryTimer);
    s.retryTimer = -1;
    closeLink(s.current, "unsubscribed");
    closeLink(s.retiring, "unsubscribed");
    closeLink(s.spare, "unsubscribed");
    s.current = null;
    s.retiring = null;
    s.spare = null;
    packer.drop(s);
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
