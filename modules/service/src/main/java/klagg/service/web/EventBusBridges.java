package klagg.service.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BaseBridgeEvent;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import klagg.core.Kline;
import klagg.core.KlineDelta;
import klagg.service.Addresses;
import klagg.service.KlaggConfig;
import klagg.service.RateLimitedLog;
import klagg.service.msg.CycleUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web node's two event-bus bridges, SockJS ({@code /eventbus}) and TCP: who may do what (clients
 * register only on outbound {@code klagg.out.changes} / {@code klagg.out.kline.*} and send only to
 * inbound {@code klagg.in.query}; everything else is refused, counted and answered
 * {@code access_denied}), malformed frames refused ({@link CheckedSockJsSocket},
 * {@link GuardedNetSocket}), which addresses clients listen on ({@link BridgeInterest}), and what each
 * gateway cycle sends them ({@link #publish}), held back and conflated for a lagging client
 * ({@link BridgeGuard}).
 */
final class EventBusBridges {
  private static final Logger log = LoggerFactory.getLogger(EventBusBridges.class);
  private static final String[] REFUSED_TYPES = {"register", "send", "publish"};

  private final Vertx vertx;
  private final KlaggConfig config;
  private final Symbols symbols;
  private final boolean publishAll;
  private final BridgeGuard guard;
  private final BridgeInterest interest = new BridgeInterest();
  private final RateLimitedLog rlog = new RateLimitedLog(log, 10_000);
  /** Refused bridge requests, [bridge][register|send|publish]. */
  private final long[][] refused = new long[BridgeGuard.BRIDGES.length][REFUSED_TYPES.length];
  /** Malformed frames refused, by bridge (see {@link CheckedSockJsSocket}, {@link GuardedNetSocket.FrameCheck}). */
  private final long[] malformed = new long[BridgeGuard.BRIDGES.length];
  private final java.util.Map<Object, BridgeGuard.Client> sockJsClients = new java.util.HashMap<>();
  private final Kline scratch = new Kline();
  private TcpEventBusBridge tcpBridge;
  private volatile int tcpPort = -1;
  private long busEvents;

  EventBusBridges(Vertx vertx, KlaggConfig config, Symbols symbols) {
    this.vertx = vertx;
    this.config = config;
    this.symbols = symbols;
    this.publishAll = config.getBool("bridge.publishAll");
    this.guard = new BridgeGuard(config.getLong("bridge.stuckClientMs"));
  }

  /** The TCP bridge's port, or -1 when it is off. */
  int tcpPort() {
    return tcpPort;
  }

  /** Mounts the SockJS bridge at {@code /eventbus} when {@code bridge.sockjs}. */
  void mountSockJs(Router router) {
    if (!config.getBool("bridge.sockjs")) {
      return;
    }
    // SockJSHandler.bridge(options, handler) is exactly this, less the frame check (CheckedSockJsSocket)
    io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl bridge = new io.vertx.ext.web.handler.sockjs.impl
        .EventBusBridgeImpl(vertx, null, sockJsOptions(), e -> onBridgeEvent(BridgeGuard.SOCKJS, e, e.socket()));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).socketHandler(so ->
        bridge.handle(new CheckedSockJsSocket(so, why -> malformed(BridgeGuard.SOCKJS, so.remoteAddress(), why)))));
  }

  Future<?> close() {
    return tcpBridge == null ? Future.succeededFuture() : tcpBridge.close();
  }

  /**
   * One gateway cycle's klines to bridge clients: each changed kline to its {@code klagg.out.kline.*}
   * address and all of them as one {@code klagg.out.changes} message, only where a client listens (or
   * everywhere, {@code bridge.publishAll}); one event built per kline.
   */
  void publish(CycleUpdate u) {
    boolean snap = publishAll || interest.has(Addresses.CHANGES_OUT);
    if (!publishAll && interest.isEmpty()) {
      guard.afterCycle();
      return;
    }
    var bus = vertx.eventBus();
    JsonArray snapshot = snap ? new JsonArray() : null;
    for (KlineDelta d : u.deltas()) {
      for (int r = 0; r < d.size(); r++) {
        Symbols.Info info = symbols.byId(d.symbol(r));
        if (info == null) {
          continue;
        }
        String address = info.klineOut(d.interval(r));
        boolean wanted = publishAll || interest.has(address);
        if (wanted || snap) {
          JsonObject event = StreamEvents.event(d.get(r, scratch), info.symbol, u.serverTime());
          busEvents++;
          if (snap) {
            snapshot.add(event);
          }
          if (wanted) {
            bus.publish(address, event);
          }
        }
      }
    }
    if (snap && !snapshot.isEmpty()) {
      bus.publish(Addresses.CHANGES_OUT, new JsonObject().put("E", u.serverTime()).put("cycle", u.cycle())
          .put("klines", snapshot));
    }
    guard.afterCycle();
  }

  /** Between cycles too (every second): lagging clients past {@code bridge.stuckClientMs} are closed. */
  void afterCycle() {
    guard.afterCycle();
  }

  void registerMetrics(MeterRegistry reg) {
    FunctionCounter.builder("klagg_web_bus_events", this, w -> w.busEvents)
        .description("kline events built for event-bus bridge clients").register(reg);
    Gauge.builder("klagg_web_bridge_registrations", this, w -> w.interest.registrations()).register(reg);
    for (int b = 0; b < BridgeGuard.BRIDGES.length; b++) {
      int bridge = b;
      for (int t = 0; t < REFUSED_TYPES.length; t++) {
        int type = t;
        FunctionCounter.builder("klagg_bridge_refused", this, w -> w.refused[bridge][type])
            .description("bridge requests refused by the address allow-list")
            .tags("bridge", BridgeGuard.BRIDGES[b], "type", REFUSED_TYPES[t]).register(reg);
      }
      for (int r = 0; r < BridgeGuard.REASONS.length; r++) {
        int reason = r;
        FunctionCounter.builder("klagg_bridge_dropped", this, w -> w.guard.dropped(bridge, reason))
            .description("outbound messages not written to a lagging bridge client (conflated, or the client closed)")
            .tags("bridge", BridgeGuard.BRIDGES[b], "reason", BridgeGuard.REASONS[r]).register(reg);
      }
      FunctionCounter.builder("klagg_bridge_malformed", this, w -> w.malformed[bridge])
          .description("malformed bridge frames refused (not JSON, fields of the wrong type, a TCP length prefix"
              + " outside 0..web.maxFrameBytes, which also closes the connection)")
          .tags("bridge", BridgeGuard.BRIDGES[b]).register(reg);
      FunctionCounter.builder("klagg_bridge_slow_disconnects", this, w -> w.guard.slowDisconnects(bridge))
          .description("bridge clients closed for staying behind longer than bridge.stuckClientMs")
          .tags("bridge", BridgeGuard.BRIDGES[b]).register(reg);
    }
  }

  /** Outbound: the snapshot and kline addresses only; inbound: the query only (see {@link #onBridgeEvent}). */
  private static <T extends BridgeOptions> T permitted(T o) {
    o.addInboundPermitted(new PermittedOptions().setAddress(Addresses.QUERY_IN));
    o.addOutboundPermitted(new PermittedOptions().setAddressRegex(Addresses.OUT_PERMITTED_REGEX));
    return o;
  }

  /**
   * Every bridge event of both bridges. Checks the direction of each request itself, so that a
   * mistake in the permitted options cannot reopen the bridge: REGISTER only on outbound addresses,
   * SEND only to inbound ones, PUBLISH never (no inbound address takes one). Tracks outbound
   * registrations, and holds outbound messages for a SockJS client whose write queue is full.
   */
  void onBridgeEvent(int bridge, BaseBridgeEvent e, Object socket) {
    JsonObject raw = e.getRawMessage();
    // a client may put anything there ({"address":[1]}): not a string is no address (refused below)
    Object rawAddress = raw == null ? null : raw.getValue("address");
    String address = rawAddress instanceof String ? (String) rawAddress : null;
    switch (e.type()) {
      case SOCKET_CREATED -> {
        if (bridge == BridgeGuard.SOCKJS) {
          SockJSSocket so = (SockJSSocket) socket;
          BridgeGuard.Client c = guard.client(bridge, so::writeQueueFull, so::close);
          sockJsClients.put(so, c);
          so.drainHandler(v -> c.flush());
        }
      }
      case REGISTER -> {
        if (!Addresses.bridgeMayRegister(address)) {
          refuse(bridge, 0, address, socket);
          return;
        }
        interest.register(socket, address);
      }
      case SEND -> {
        if (!Addresses.bridgeMaySend(address)) {
          refuse(bridge, 1, address, socket);
          return;
        }
      }
      case PUBLISH -> {
        refuse(bridge, 2, address, socket);
        return;
      }
      case RECEIVE -> {
        BridgeGuard.Client c = sockJsClients.get(socket);
        // replies to the client's own requests are not held
        if (c != null && address != null && address.startsWith(Addresses.OUT_PREFIX) && c.mustHold()) {
          c.hold(address, BridgeGuard.openTime(raw), new BridgeGuard.Held() {
            @Override
            public void deliver() {
              e.complete(true);
            }

            @Override
            public void discard() {
              e.complete(false);
            }
          });
          return;
        }
      }
      case UNREGISTER -> {
        if (address != null) {
          interest.unregister(socket, address);
        }
      }
      case SOCKET_CLOSED -> {
        interest.closed(socket);
        BridgeGuard.Client c = sockJsClients.remove(socket);
        if (c != null) {
          c.closed();
        }
      }
      default -> { }
    }
    e.complete(true);
  }

  /**
   * A refused request: counted, logged (rate-limited) and answered with the bridge's own refusal
   * frame, {@code access_denied}. The event is left uncompleted: completing it with false would make
   * the bridge send a second, different error frame ("rejected"); an uncompleted event holds nothing.
   */
  private void refuse(int bridge, int type, String address, Object socket) {
    refused[bridge][type]++;
    rlog.warn("bridge-refused-" + bridge + "-" + type, "refused a " + BridgeGuard.BRIDGES[bridge] + " bridge "
        + REFUSED_TYPES[type] + " on " + (address == null ? "no address" : "'" + abbreviate(address) + "'")
        + " (clients register on klagg.out.changes / klagg.out.kline.*, send to klagg.in.query)");
    if (socket instanceof SockJSSocket) {
      ((SockJSSocket) socket).write(Buffer.buffer("{\"type\":\"err\",\"body\":\"access_denied\"}"));
    } else if (socket instanceof NetSocket) {
      FrameHelper.sendErrFrame("access_denied", (NetSocket) socket);
    }
  }

  private void malformed(int bridge, Object from, String why) {
    malformed[bridge]++;
    rlog.warn("bridge-malformed-" + bridge, "refused a malformed " + BridgeGuard.BRIDGES[bridge] + " bridge frame from "
        + from + ": " + abbreviate(why));
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private SockJSBridgeOptions sockJsOptions() {
    return permitted(new SockJSBridgeOptions()).setReplyTimeout(config.getLong("web.historyTimeoutMs") + 1000);
  }

  /** Starts the TCP bridge when {@code bridge.tcpEnabled}. */
  Future<Void> startTcp() {
    if (!config.getBool("bridge.tcpEnabled")) {
      return Future.succeededFuture();
    }
    TcpEventBusBridge b = TcpEventBusBridge.create(vertx, permitted(new BridgeOptions()), new NetServerOptions(),
        e -> onBridgeEvent(BridgeGuard.TCP, e, e.socket()));
    guardTcpClients(b);
    return b.listen(config.getInt("bridge.tcpPort"), config.getString("bridge.tcpHost")).map(x -> {
      tcpBridge = b;
      tcpPort = actualPort(b, config.getInt("bridge.tcpPort"));
      log.info("web: TCP event-bus bridge on {}:{}", config.getString("bridge.tcpHost"), tcpPort);
      return null;
    });
  }

  /**
   * Hands the TCP bridge a {@link GuardedNetSocket} for each connection instead of the raw socket:
   * the bridge (5.0.x) has no RECEIVE event, so the guard has to sit at the socket's write. Its
   * connection handler is private; if it cannot be reached the bridge runs unguarded (logged).
   */
  private void guardTcpClients(TcpEventBusBridge b) {
    try {
      var f = b.getClass().getDeclaredField("server");
      f.setAccessible(true);
      NetServer server = (NetServer) f.get(b);
      java.lang.reflect.Method handler = b.getClass().getDeclaredMethod("handler", NetSocket.class);
      handler.setAccessible(true);
      server.connectHandler(so -> {
        GuardedNetSocket g = new GuardedNetSocket(so, config.getInt("web.maxFrameBytes"),
            why -> malformed(BridgeGuard.TCP, so.remoteAddress(), why));
        BridgeGuard.Client c = guard.client(BridgeGuard.TCP, so::writeQueueFull, so::close);
        g.client = c;
        so.drainHandler(v -> c.flush());
        // the bridge listens to end and exceptions only: close is ours
        so.closeHandler(v -> {
          c.closed();
          interest.closed(g);
        });
        try {
          handler.invoke(b, g);
        } catch (ReflectiveOperationException e) {
          log.warn("TCP bridge connection handler failed: {}", e.toString());
          so.close();
        }
      });
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("TCP bridge clients run unguarded (no conflation, no slow-client bound): {}", e.toString());
    }
  }

  /** The bridge does not expose its bound port; read it from its server (ephemeral ports in tests). */
  private static int actualPort(TcpEventBusBridge b, int configured) {
    try {
      var f = b.getClass().getDeclaredField("server");
      f.setAccessible(true);
      return ((NetServer) f.get(b)).actualPort();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return configured;
    }
  }
}
