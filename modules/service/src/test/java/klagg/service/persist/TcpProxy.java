package klagg.service.persist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A TCP proxy a test can cut (closing the port and every connection) and bring back on the same port. */
public final class TcpProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> sockets = new HashSet<>();
  private final List<NetSocket[]> pairs = new ArrayList<>();
  private NetServer server;
  private int port;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  public int port() {
    return port;
  }

  /** Listens (on a free port the first time, on the same port after). */
  public synchronized Future<Void> open() {
    NetServer s = vertx.createNetServer().connectHandler(this::connect);
    server = s;
    return s.listen(port, "127.0.0.1").map(x -> {
      port = x.actualPort();
      return null;
    });
  }

  private void connect(NetSocket in) {
    in.pause();
    synchronized (this) {
      sockets.add(in);
    }
    client.connect(targetPort, targetHost).onSuccess(up -> {
      synchronized (this) {
        sockets.add(up);
      }
      in.closeHandler(v -> up.close());
      up.closeHandler(v -> in.close());
      in.handler(up::write);
      up.handler(in::write);
      synchronized (this) {
        pairs.add(new NetSocket[] {in, up});
      }
      in.resume();
    }).onFailure(e -> in.close());
  }

  /**
   * Silences every connection open now, both ways: the sockets stay open, their bytes are dropped
   * from now on (a stalled connection: nothing arrives, nothing fails). New connections still work.
   */
  public synchronized void blackholeOpen() {
    for (NetSocket[] p : pairs) {
      p[0].handler(b -> { });
      p[1].handler(b -> { });
    }
    pairs.clear();
  }

  /** Cuts: stops listening and closes every open connection. */
  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    synchronized (this) {
      if (server != null) {
        all.add(server.close());
        server = null;
      }
      for (NetSocket s : sockets) {
        all.add(s.close());
      }
      sockets.clear();
      pairs.clear();
    }
    return Future.join(all).mapEmpty();
  }
}
