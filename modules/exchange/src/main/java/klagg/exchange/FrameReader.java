package klagg.exchange;

import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Reads the frames of a {@link StreamClient}'s connections: every frame is life for the connection's
 * {@link SilenceJudge} (a spare's first one proves it, a suspected one delivers again), a ping counts
 * against the send budget (Vert.x has answered it), data frames are assembled into messages
 * ({@link MessageAssembler}) and handed to the listener as bytes; command replies go to the
 * {@link SubscriptionPump}, a {@code serverShutdown} event rotates the connection. The hot path:
 * nothing is allocated per stream message. Logs as {@link StreamClient}; runs on its context.
 */
final class FrameReader {
  private static final System.Logger log = System.getLogger(StreamClient.class.getName());

  private final StreamClient.Listener listener;
  private final SubscriptionPump subscriptions;
  private final StreamReplacer replacer;

  private volatile long messages;
  private volatile long pings;
  private volatile long oversizeDropped;
  private volatile long listenerErrors;

  FrameReader(StreamClient.Listener listener, SubscriptionPump subscriptions, StreamReplacer replacer) {
    this.listener = listener;
    this.subscriptions = subscriptions;
    this.replacer = replacer;
  }

  /** One frame of {@code link}. */
  void onFrame(StreamLink link, WebSocketFrame f) {
    link.judge.frame(); // any frame is life, pings included
    if (!link.gotFrame) {
      replacer.firstFrame(link);
    }
    if (link.suspected) {
      replacer.alive(link);
    }
    if (f.isPing()) {
      // Vert.x has already written the pong (echoing the payload): count it against the budget
      pings++;
      link.rate.record(System.currentTimeMillis());
      return;
    }
    if (f.type() == WebSocketFrameType.PONG || f.isClose()) {
      return;
    }
    int r = link.in.add(f.binaryData(), f.isContinuation(), f.isFinal());
    if (r == MessageAssembler.OVERSIZE) {
      oversizeDropped++;
    } else if (r == MessageAssembler.MESSAGE) {
      deliver(link);
    }
  }

  private void deliver(StreamLink link) {
    byte[] b = link.in.bytes();
    int len = link.in.length();
    if (!link.in.isStreamData()) {
      controlMessage(link, new String(b, 0, len, StandardCharsets.UTF_8));
      return;
    }
    messages++;
    try {
      listener.onMessage(link.id, b, 0, len);
    } catch (RuntimeException e) {
      listenerErrors++;
      log.log(System.Logger.Level.WARNING, "stream listener failed on connection " + link.id, e);
    }
  }

  /** Command replies and other non-stream messages (rare: parsed as JSON). */
  private void controlMessage(StreamLink link, String text) {
    JsonObject j;
    try {
      j = new JsonObject(text);
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.DEBUG, "unparsable control message on " + link.id + ": " + text);
      return;
    }
    if (text.contains("serverShutdown")) {
      log.log(System.Logger.Level.INFO, "server announced shutdown on connection " + link.id + ": rotating");
      replacer.rotate(link.slot, link);
      return;
    }
    if (!subscriptions.reply(link, j, text)) {
      messages++;
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      listener.onMessage(link.id, bytes, 0, bytes.length);
    }
  }

  long messages() {
    return messages;
  }

  long pings() {
    return pings;
  }

  long oversizeDropped() {
    return oversizeDropped;
  }

  long listenerErrors() {
    return listenerErrors;
  }
}
