package klagg.exchange;

import static klagg.exchange.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Command replies; sending is covered against a server in {@link StreamClientTest}. */
class SubscriptionPumpTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<String> rejected = new CopyOnWriteArrayList<>();
  private final List<StreamLink> synced = new CopyOnWriteArrayList<>();
  private final SubscriptionPump pump = new SubscriptionPump(vertx, new StreamClientOptions(),
      (connId, bytes, off, len) -> {}, synced::add);

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  private StreamLink link() {
    StreamSlot slot = new StreamSlot();
    StreamLink link = new StreamLink(7, slot, new SilenceJudge(System::currentTimeMillis, 1, 5, 1000),
        new RateWindow(4, 1000), new MessageAssembler(1024));
    slot.current = link;
    return link;
  }

  @Test
  void aResultAcknowledgesItsCommand() {
    StreamLink link = link();
    link.unacked.put(3L, true);
    link.unacked.put(4L, true);
    assertThat(pump.reply(link, new JsonObject("{\"result\":null,\"id\":3}"), "…")).isTrue();
    assertThat(link.unacked).containsOnlyKeys(4L);
    assertThat(pump.commandErrors()).isZero();
  }

  @Test
  void anErrorAcknowledgesCountsAndIsReported() {
    StreamSlot slot = new StreamSlot();
    StreamClient.Listener listener = new StreamClient.Listener() {
      @Override
      public void onMessage(int connId, byte[] bytes, int off, int len) {}

      @Override
      public void onCommandError(int connId, String response) {
        rejected.add(connId + " " + response);
      }
    };
    SubscriptionPump p = new SubscriptionPump(vertx, new StreamClientOptions(), listener, synced::add);
    StreamLink link = new StreamLink(9, slot, new SilenceJudge(System::currentTimeMillis, 1, 5, 1000),
        new RateWindow(4, 1000), new MessageAssembler(1024));
    link.unacked.put(5L, true);
    String text = "{\"error\":{\"code\":2,\"msg\":\"Invalid request\"},\"id\":5}";
    assertThat(p.reply(link, new JsonObject(text), text)).isTrue();
    assertThat(link.unacked).isEmpty();
    assertThat(p.commandErrors()).isEqualTo(1);
    assertThat(rejected).containsExactly("9 " + text);
  }

  @Test
  void aMessageWithoutIdIsNoReply() {
    StreamLink link = link();
    link.unacked.put(1L, true);
    assertThat(pump.reply(link, new JsonObject("{\"e\":\"serverTime\"}"), "…")).isFalse();
    assertThat(link.unacked).containsOnlyKeys(1L);
  }

  @Test
  void nothingIsSentOnAClosedLink() {
    StreamLink link = link();
    link.slot.streams.add("btcusdt@aggTrade");
    pump.pump(link); // not open: no WebSocket to write to, nothing happens
    assertThat(pump.commandsSent()).isZero();
    assertThat(link.serverSet).isEmpty();
    assertThat(synced).isEmpty();
  }
}
