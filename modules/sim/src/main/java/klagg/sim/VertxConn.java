package klagg.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/** A connection on Vert.x's server WebSocket (the simulator's usual transport). */
final class VertxConn extends Conn {
  final ServerWebSocket ws;

  VertxConn(WsHub hub, ServerWebSocket ws, boolean combined) {
    super(hub, combined);
    this.ws = ws;
    ws.setWriteQueueMaxSize(Math.max(64 * 1024, hub.cfg.maxWriteQueueBytes));
  }

  @Override
  boolean dropsWhenFull() {
    return true;
  }

  @Override
  void write(String text) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(text);
    }
  }

  @Override
  void ping(String payload) {
    if (!ws.isClosed()) {
      ws.writePing(Buffer.buffer(payload));
    }
  }

  @Override
  void closeTransport(short code, String reason) {
    ws.close(code, reason);
  }

  @Override
  void pauseReading() {
    ws.pause();
  }

  @Override
  void resumeReading() {
    ws.resume();
  }

  @Override
  boolean writeQueueFull() {
    try {
      return ws.writeQueueFull();
    } catch (IllegalStateException peerClosed) {
      // the peer closed before our close handler ran: nothing to queue for, and no reason to throw
      // out of the emission loop that serves every other connection
      return false;
    }
  }
}
