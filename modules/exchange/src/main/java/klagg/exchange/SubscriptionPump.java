package klagg.exchange;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * Brings what the server sends on a connection ({@link StreamLink#serverSet}) in step with its
 * slot's streams: SUBSCRIBE/UNSUBSCRIBE commands of at most {@code maxParamsPerCommand} streams, each
 * sent only when the connection's {@link RateWindow} has room (Binance drops a connection sending
 * more than 5 messages a second), else retried by a timer; and the commands' replies. A connection
 * with nothing left to send and every command acknowledged is reported synced. Logs as
 * {@link StreamClient}; runs on its context.
 */
final class SubscriptionPump {
  private static final System.Logger log = System.getLogger(StreamClient.class.getName());

  private final Vertx vertx;
  private final StreamClientOptions options;
  private final StreamClient.Listener listener;
  private final Consumer<StreamLink> onSynced;
  private long nextCommandId = 1;
  private volatile long commandsSent;
  private volatile long commandErrors;

  SubscriptionPump(Vertx vertx, StreamClientOptions options, StreamClient.Listener listener, Consumer<StreamLink> onSynced) {
    this.vertx = vertx;
    this.options = options;
    this.listener = listener;
    this.onSynced = onSynced;
  }

  /** Sends SUBSCRIBE/UNSUBSCRIBE until the link's server-side set equals the slot's, within the rate. */
  void pump(StreamLink link) {
    if (!link.open || link.closing || (link.slot.current != link && link.slot.spare != link)) {
      return;
    }
    StreamSlot slot = link.slot;
    int max = options.getMaxParamsPerCommand();
    boolean[] subscribe = new boolean[1];
    while (true) {
      List<String> batch = StreamCommands.nextBatch(slot.streams, link.serverSet, max, subscribe);
      boolean sub = subscribe[0];
      if (batch.isEmpty()) {
        if (link.unacked.isEmpty() && !link.synced) {
          onSynced.accept(link);
        }
        return;
      }
      long now = System.currentTimeMillis();
      if (!link.rate.canSend(now)) {
        if (link.pumpTimer < 0) {
          long delay = Math.max(1, link.rate.nextFree(now) - now + 1);
          link.pumpTimer = vertx.setTimer(delay, id -> {
            link.pumpTimer = -1;
            pump(link);
          });
        }
        return;
      }
      long id = nextCommandId++;
      String command = StreamCommands.command(sub, batch, id);
      link.rate.record(now);
      link.unacked.put(id, sub);
      if (sub) {
        link.serverSet.addAll(batch);
        link.synced = false;
      } else {
        batch.forEach(link.serverSet::remove);
      }
      commandsSent++;
      link.ws.writeTextMessage(command);
    }
  }

  /**
   * A command's reply ({@code {"result":…,"id":…}} or {@code {"error":{…},"id":…}}): the command is
   * acknowledged, a rejection reported, the link pumped once nothing is pending. False if {@code j}
   * is no reply.
   */
  boolean reply(StreamLink link, JsonObject j, String text) {
    Object idv = j.getValue("id");
    if (j.containsKey("error")) {
      commandErrors++;
      if (idv instanceof Number) {
        link.unacked.remove(((Number) idv).longValue());
      }
      log.log(System.Logger.Level.WARNING, "stream command rejected on " + link.id + ": " + text);
      listener.onCommandError(link.id, text);
    } else if (idv instanceof Number) {
      link.unacked.remove(((Number) idv).longValue());
    } else {
      return false;
    }
    if (link.unacked.isEmpty() && (link.slot.current == link || link.slot.spare == link)) {
      pump(link); // marks the link synced when nothing is left to send
    }
    return true;
  }

  long commandsSent() {
    return commandsSent;
  }

  long commandErrors() {
    return commandErrors;
  }
}
