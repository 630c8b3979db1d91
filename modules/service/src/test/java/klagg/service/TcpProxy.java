package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.HashSet;
import java.util.Set;

/** A TCP proxy a test can cut (close every connection and refuse new ones) and restore. */
final class TcpProxy {
  private final Vertx vertx;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> open = new HashSet<>();
  private NetServer server;
  private int port;

  TcpProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  Future<Integer> start() {
    return listen(0);
  }

  private Future<Integer> listen(int p) {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
        open.add(in);
        open.add(out);
        in.handler(out::write);
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(e -> in.close());
    });
    return server.listen(p, "127.0.0.1").map(s -> {
      port = s.actualPort();
      return port;
    });
  }

  int port() {
    return port;
  }

  /** Closes every proxied connection and stops accepting new ones. */
  Future<Void> cut() {
    for (NetSocket s : open) {
      s.close();
    }
    open.clear();
    return server.close();
  }

  /** Accepts connections again on the same port. */
  Future<Integer> restore() {
    return listen(port);
  }
}
