package klagg.exchange;

import static klagg.exchange.TestSupport.await;
import static klagg.exchange.TestSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class StreamClientTest {

  /** Records what the client hands over. */
  static final class Recorder implements StreamClient.Listener {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final List<Integer> connected = new CopyOnWriteArrayList<>();
    final List<Set<String>> connectedStreams = new CopyOnWriteArrayList<>();
    final List<String> disconnected = new CopyOnWriteArrayList<>();
    final List<Set<String>> disconnectedStreams = new CopyOnWriteArrayList<>();
    final List<String> rotated = new CopyOnWriteArrayList<>();
    final List<Integer> silent = new CopyOnWriteArrayList<>();
    final List<Integer> alive = new CopyOnWriteArrayList<>();
    final List<String> replaced = new CopyOnWriteArrayList<>();
    final Set<Long> seqSeen = ConcurrentHashMap.newKeySet();
    final AtomicLong maxSeq = new AtomicLong(-1);
    final AtomicLong minSeq = new AtomicLong(Long.MAX_VALUE);

    @Override
    public void onMessage(int connId, byte[] bytes, int off, int len) {
      long n = seq(bytes, off, len);
      if (n >= 0) {
        seqSeen.add(n);
        maxSeq.accumulateAndGet(n, Math::max);
        minSeq.accumulateAndGet(n, Math::min);
        return;
      }
      messages.add(new String(bytes, off, len, StandardCharsets.UTF_8));
    }

    /** The number in {@code "n":123} of a seq@test message, parsed from the bytes; -1 if none. */
    static long seq(byte[] b, int off, int len) {
      for (int i = off; i + 4 < off + len; i++) {
        if (b[i] == '"' && b[i + 1] == 'n' && b[i + 2] == '"' && b[i + 3] == ':') {
          long v = 0;
          for (int k = i + 4; k < off + len && b[k] >= '0' && b[k] <= '9'; k++) {
            v = v * 10 + (b[k] - '0');
          }
          return v;
        }
      }
      return -1;
    }

    @Override
    public void onConnected(int connId, Set<String> streams) {
      connected.add(connId);
      connectedStreams.add(streams);
    }

    @Override
    public void onDisconnected(int connId, Set<String> streams, String reason) {
      disconnected.add(connId + ": " + reason);
      disconnectedStreams.add(streams);
    }

    @Override
    public void onRotated(int oldConnId, int newConnId) {
      rotated.add(oldConnId + "->" + newConnId);
    }

    @Override
    public void onSilent(int connId, Set<String> streams, long silentMs) {
      silent.add(connId);
    }

    @Override
    public void onAlive(int connId, Set<String> streams) {
      alive.add(connId);
    }

    @Override
    public void onReplaced(int oldConnId, int newConnId) {
      replaced.add(oldConnId + "->" + newConnId);
    }
  }

  private FakeStreamServer server;
  private StreamClient client;
  private final Recorder rec = new Recorder();

  private ExchangeEndpoints startServer(Vertx vertx) {
    server = new FakeStreamServer(vertx);
    int port = await(server.start());
    return ExchangeEndpoints.sim("http://127.0.0.1:" + port);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      await(client.close());
    }
    if (server != null) {
      await(server.close());
    }
  }

  private static List<String> streams(int n, String suffix) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("sym" + i + "usdt@" + suffix);
    }
    return out;
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void splits2500StreamsOverConnectionsWithinLimits(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions(), rec);
    assertThat(client.messagesPerSecondBudget()).isEqualTo(4);
    List<String> all = streams(2500, "aggTrade");
    client.subscribe(all);
    await(client.start());
    awaitUntil("all 2500 streams active at the server", 15_000, () -> {
      int n = 0;
      for (FakeStreamServer.Conn c : server.openConns()) {
        n += c.active.size();
      }
      return n == 2500;
    });
    List<FakeStreamServer.Conn> conns = server.openConns();
    assertThat(conns).hasSize(3);
    Set<String> union = new HashSet<>();
    for (FakeStreamServer.Conn c : conns) {
      assertThat(c.active.size()).isLessThanOrEqualTo(1024);
      for (String s : c.active) {
        assertThat(union.add(s)).as("stream %s on one connection only", s).isTrue();
      }
      assertThat(c.maxInWindow(1000)).isLessThanOrEqualTo(4);
    }
    assertThat(union).containsExactlyInAnyOrderElementsOf(all);
    assertThat(server.violations).isEmpty();
    assertThat(client.connectionCount()).isEqualTo(3);
    assertThat(client.slotCount()).isEqualTo(3);
    assertThat(client.subscribed()).hasSize(2500);
    assertThat(rec.connected).hasSize(3);
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void pacesCommandsAndAnswersPings(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions().setMaxStreamsInUrl(0)
        .setMaxParamsPerCommand(3), rec);
    client.subscribe(streams(30, "aggTrade")); // 10 commands: at 4/s, at least 2 s
    await(client.start());
    awaitUntil("a server connection", 5000, () -> server.single() != null);
    FakeStreamServer.Conn c = server.single();
    // pings while the subscriptions are being paced, spaced like a real server (not several per second)
    vertx.setTimer(300, id -> server.ping(c, "ping-1"));
    vertx.setTimer(1500, id -> server.ping(c, "ping-2"));
    awaitUntil("30 streams active", 10_000, () -> c.active.size() == 30);
    awaitUntil("both pongs", 5000, () -> c.pongs.size() == 2);
    assertThat(c.pongs).containsExactly("ping-1", "ping-2");
    assertThat(c.commands).hasSize(10);
    assertThat(c.commands.get(0)).startsWith("{\"method\":\"SUBSCRIBE\",\"params\":[");
    assertThat(c.maxInWindow(1000)).as("commands + pongs in any second").isLessThanOrEqualTo(5);
    assertThat(server.violations).isEmpty();
    long span = c.incoming.get(c.incoming.size() - 1) - c.incoming.get(0);
    assertThat(span).isGreaterThanOrEqualTo(2000);
    assertThat(client.pings()).isEqualTo(2);
    assertThat(client.commandsSent()).isEqualTo(10);

    // unsubscribing goes through the same pacing, and data arrives as bytes
    client.unsubscribe(streams(3, "aggTrade"));
    awaitUntil("27 streams active", 5000, () -> c.active.size() == 27);
    assertThat(c.commands.get(c.commands.size() - 1)).contains("UNSUBSCRIBE");
    server.publish("sym5usdt@aggTrade", "{\"e\":\"aggTrade\",\"a\":1}");
    awaitUntil("a message", 5000, () -> rec.messages.size() == 1);
    assertThat(rec.messages.get(0)).isEqualTo("{\"stream\":\"sym5usdt@aggTrade\",\"data\":{\"e\":\"aggTrade\",\"a\":1}}");
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void reconnectsAfterDropAndResubscribes(Vertx vertx, VertxTestContext ctx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions().setMaxStreamsInUrl(10)
        .setReconnectBaseMs(50).setReconnectMaxMs(400), rec);
    List<String> s = streams(30, "aggTrade");
    client.subscribe(s);
    await(client.start());
    awaitUntil("30 active", 5000, () -> server.single() != null && server.single().active.size() == 30);
    FakeStreamServer.Conn first = server.single();
    first.ws.close((short) 1001, "going away");
    awaitUntil("a new connection with all streams", 10_000, () -> {
      FakeStreamServer.Conn c = server.single();
      return c != null && c != first && c.active.size() == 30;
    });
    assertThat(rec.disconnected).hasSize(1);
    assertThat(rec.disconnected.get(0)).contains("1001");
    assertThat(rec.disconnectedStreams.get(0)).containsExactlyInAnyOrderElementsOf(s);
    assertThat(rec.connected).hasSize(2);
    assertThat(rec.connectedStreams.get(1)).containsExactlyInAnyOrderElementsOf(s);
    assertThat(client.reconnects()).isEqualTo(1);
    assertThat(client.disconnects()).isEqualTo(1);
    awaitUntil("client sees one open connection", 5000, () -> client.connectionCount() == 1);

    // a server that refuses for a while: backoff keeps trying, bounded by reconnectMaxMs
    FakeStreamServer.Conn second = server.single();
    second.ws.close((short) 1011, "restart");
    awaitUntil("reconnected again", 10_000, () -> {
      FakeStreamServer.Conn c = server.single();
      return c != null && c != second && c.active.size() == 30 && rec.connected.size() == 3;
    });
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
  void rotatesBeforeLifetimeWithoutGap(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions().setRotateAfterMs(1500)
        .setMaxStreamsInUrl(10).setMaxParamsPerCommand(10), rec);
    List<String> s = new ArrayList<>(streams(59, "aggTrade"));
    s.add("seq@test"); // last: subscribed by the paced, delayed command on every new connection
    client.subscribe(s);
    await(client.start());
    AtomicLong n = new AtomicLong();
    long ticker = vertx.setPeriodic(5, id -> server.publish("seq@test", "{\"n\":" + n.getAndIncrement() + "}"));
    try {
      awaitUntil("two rotations", 20_000, () -> client.rotations() >= 2);
      long target = n.get();
      awaitUntil("the client caught up", 5000, () -> rec.maxSeq.get() >= target);
    } finally {
      vertx.cancelTimer(ticker);
    }
    assertThat(rec.rotated.size()).isGreaterThanOrEqualTo(2);
    long lo = rec.minSeq.get();
    long hi = rec.maxSeq.get();
    assertThat(hi - lo).isGreaterThan(100);
    List<Long> missing = new ArrayList<>();
    for (long i = lo; i <= hi; i++) {
      if (!rec.seqSeen.contains(i)) {
        missing.add(i);
      }
    }
    assertThat(missing).as("no gap across rotations").isEmpty();
    assertThat(rec.disconnected).as("rotation is not a dead feed").isEmpty();
    FakeStreamServer.Conn[] only = new FakeStreamServer.Conn[1];
    awaitUntil("old connections closed", 5000, () -> (only[0] = server.single()) != null);
    assertThat(only[0].active).containsExactlyInAnyOrderElementsOf(s);
    assertThat(server.violations).isEmpty();
    assertThat(server.conns.size()).as("one new connection per rotation").isLessThanOrEqualTo(
        1 + (int) client.rotations() + 1);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void reassemblesContinuationFrames(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions(), rec);
    client.subscribe(List.of("!miniTicker@arr"));
    await(client.start());
    awaitUntil("connected", 5000, () -> server.single() != null);
    FakeStreamServer.Conn c = server.single();
    String big = "x".repeat(100_000);
    String head = "{\"stream\":\"!miniTicker@arr\",\"data\":[{\"s\":\"";
    server.sendFragmented(c, head, big, "\"}]}");
    server.sendFragmented(c, "{\"stream\":\"!miniTicker@arr\",\"data\":[]}");
    server.sendFragmented(c, "{\"stream\":", "\"a\",", "\"data\":1}");
    awaitUntil("three messages", 5000, () -> rec.messages.size() == 3);
    assertThat(rec.messages.get(0)).isEqualTo(head + big + "\"}]}");
    assertThat(rec.messages.get(1)).isEqualTo("{\"stream\":\"!miniTicker@arr\",\"data\":[]}");
    assertThat(rec.messages.get(2)).isEqualTo("{\"stream\":\"a\",\"data\":1}");
    assertThat(client.messages()).isEqualTo(3);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void emptiedConnectionIsClosed(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions().setMaxStreamsPerConnection(10), rec);
    List<String> s = streams(15, "aggTrade");
    client.subscribe(s);
    await(client.start());
    awaitUntil("two connections", 5000, () -> server.openConns().size() == 2 && client.connectionCount() == 2);
    client.unsubscribe(s.subList(10, 15));
    awaitUntil("one connection", 5000, () -> server.openConns().size() == 1 && client.connectionCount() == 1);
    assertThat(rec.disconnected).isEmpty();
    assertThat(client.subscribed()).containsExactlyElementsOf(s.subList(0, 10));
    // new streams fill the free room first
    client.subscribe(List.of("new1@aggTrade", "new2@aggTrade"));
    awaitUntil("a second connection for the overflow", 5000, () -> server.openConns().size() == 2);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void silentConnectionIsTreatedAsDead(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, new StreamClientOptions().setReadIdleTimeoutMs(400)
        .setReconnectBaseMs(50).setReconnectMaxMs(100), rec);
    client.subscribe(List.of("btcusdt@aggTrade"));
    await(client.start());
    // the fake server never pings: after 400 ms of silence the client must give the feed up and reconnect
    awaitUntil("reported dead and reconnected", 5000, () -> rec.disconnected.size() >= 1 && rec.connected.size() >= 2);
    assertThat(rec.disconnectedStreams.get(0)).containsExactly("btcusdt@aggTrade");
    assertThat(client.reconnects()).isPositive();
  }

  private StreamClientOptions silenceOptions() {
    // no history yet: silenceMaxMs (800 ms) is the bound until the client learned the rate
    return new StreamClientOptions().setSilenceMinMs(300).setSilenceMaxMs(800).setReplaceAfterMs(1_500)
        .setReconnectBaseMs(50).setReconnectMaxMs(200);
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void pausedReadingDeliversNothingIsNeverJudgedSilentAndResumesWithoutLoss(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, silenceOptions(), rec);
    client.subscribe(List.of("seq@test"));
    await(client.start());
    AtomicLong n = new AtomicLong();
    long ticker = vertx.setPeriodic(20, id -> server.publish("seq@test", "{\"n\":" + n.getAndIncrement() + "}"));
    try {
      awaitUntil("flowing", 5_000, () -> rec.maxSeq.get() >= 10);
      client.pauseReading();
      awaitUntil("paused", 2_000, client::readingPaused);
      long sentAtPause = n.get();
      long seenAtPause = rec.maxSeq.get();
      awaitUntil("the server sent on while paused", 5_000, () -> n.get() >= sentAtPause + 100); // ~2 s > silenceMaxMs
      assertThat(rec.maxSeq.get()).as("nothing delivered while paused (a frame or two in flight at most)")
          .isLessThanOrEqualTo(Math.max(seenAtPause, sentAtPause) + 2);
      assertThat(rec.silent).as("a paused connection is not silent").isEmpty();
      assertThat(client.suspectedConnections()).isZero();
      client.resumeReading();
      long target = n.get();
      awaitUntil("caught up after resume", 5_000, () -> rec.maxSeq.get() >= target);
    } finally {
      vertx.cancelTimer(ticker);
    }
    for (long i = rec.minSeq.get(); i <= rec.maxSeq.get(); i++) {
      assertThat(rec.seqSeen).as("message %d", i).contains(i);
    }
    assertThat(rec.disconnected).isEmpty();
    assertThat(rec.silent).isEmpty();
    assertThat(client.pauses()).isEqualTo(1);
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aSilentConnectionIsSuspectedThenReplacedMakeBeforeBreak(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, silenceOptions(), rec);
    client.subscribe(List.of("seq@test"));
    await(client.start());
    AtomicLong n = new AtomicLong();
    long ticker = vertx.setPeriodic(20, id -> server.publish("seq@test", "{\"n\":" + n.getAndIncrement() + "}"));
    try {
      awaitUntil("flowing", 5_000, () -> rec.maxSeq.get() >= 10);
      FakeStreamServer.Conn first = server.single();
      first.muted = true; // open, nothing arrives
      awaitUntil("suspected", 5_000, () -> !rec.silent.isEmpty());
      assertThat(rec.silent).containsExactly(1);
      assertThat(client.suspectedConnections()).isEqualTo(1);
      assertThat(rec.replaced).as("not replaced before replaceAfterMs").isEmpty();
      awaitUntil("replaced", 10_000, () -> !rec.replaced.isEmpty());
      assertThat(rec.replaced).containsExactly("1->2");
      assertThat(rec.connected).as("the spare is announced once it delivered").containsExactly(1, 2);
      assertThat(rec.disconnected).as("a replacement is not a dead feed").isEmpty();
      awaitUntil("the silent connection closed", 5_000, () -> !first.open);
      long target = n.get();
      awaitUntil("data flows on the replacement", 5_000, () -> rec.maxSeq.get() >= target);
    } finally {
      vertx.cancelTimer(ticker);
    }
    assertThat(client.silences()).isEqualTo(1);
    assertThat(client.replacements()).isEqualTo(1);
    assertThat(client.suspectedConnections()).isZero();
    assertThat(client.connectionCount()).isEqualTo(1);
  }

  @Test
  @Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
  void duringAWholeExchangeStallSparesAreRetriedOneAtATime(Vertx vertx) {
    ExchangeEndpoints ep = startServer(vertx);
    client = new StreamClient(vertx, ep, silenceOptions(), rec);
    client.subscribe(List.of("seq@test"));
    await(client.start());
    AtomicLong n = new AtomicLong();
    AtomicLong mostOpen = new AtomicLong();
    long ticker = vertx.setPeriodic(20, id -> {
      server.publish("seq@test", "{\"n\":" + n.getAndIncrement() + "}");
      mostOpen.accumulateAndGet(server.openConns().size(), Math::max);
    });
    try {
      awaitUntil("flowing", 5_000, () -> rec.maxSeq.get() >= 10);
      server.muteNew = true;
      server.single().muted = true;
      awaitUntil("two spares silent too", 20_000, () -> client.sparesFailed() >= 2);
      assertThat(rec.replaced).isEmpty();
      assertThat(rec.connected).as("silent spares are never announced").containsExactly(1);
      assertThat(client.suspectedConnections()).isEqualTo(1);
      server.muteNew = false;
      server.conns.forEach(c -> c.muted = false);
      long target = n.get();
      awaitUntil("data flows again", 10_000, () -> rec.maxSeq.get() >= target && client.suspectedConnections() == 0);
    } finally {
      vertx.cancelTimer(ticker);
    }
    assertThat(mostOpen.get()).as("the connection and at most one spare").isLessThanOrEqualTo(2);
    assertThat(rec.silent).containsExactly(1);
    assertThat(rec.disconnected).isEmpty();
    assertThat(rec.alive.size() + rec.replaced.size()).as("back, or replaced by a spare that delivered").isPositive();
  }
}
