package klagg.service.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import klagg.service.Addresses;

/**
 * The socket the TCP event-bus bridge writes to: the client's own socket, except that while its write
 * queue is full the bridge's outbound messages ({@code klagg.out.*} publishes) wait in the
 * {@link BridgeGuard} instead of piling up in the connection's unbounded queue. The TCP bridge has no
 * RECEIVE event (the SockJS bridge's hook for this), so the guard sits at the socket's write. Replies
 * and error frames are written as they come. The fast path (queue not full, nothing waiting) is a
 * plain delegation; a frame is decoded only while the client lags.
 */
final class GuardedNetSocket implements NetSocket {
  private final NetSocket so;
  private final int maxFrameBytes;
  private final java.util.function.Consumer<String> onMalformed;
  BridgeGuard.Client client;

  GuardedNetSocket(NetSocket so) {
    this(so, Integer.MAX_VALUE, why -> { });
  }

  /**
   * @param maxFrameBytes the largest frame body a client may announce; a negative or larger length
   *     prefix is refused: an error frame, then the connection is closed
   * @param onMalformed told why a connection was refused (to count and log it)
   */
  GuardedNetSocket(NetSocket so, int maxFrameBytes, java.util.function.Consumer<String> onMalformed) {
    this.so = so;
    this.maxFrameBytes = maxFrameBytes;
    this.onMalformed = onMalformed;
  }

  @Override
  public Future<Void> write(Buffer frame) {
    BridgeGuard.Client c = client;
    if (c == null || !c.mustHold()) {
      return so.write(frame);
    }
    JsonObject f;
    try {
      // 4-byte length, then {"type":"message","address":...,"send":false,"body":...}
      f = frame.length() > 4 ? new JsonObject(frame.slice(4, frame.length())) : null;
    } catch (RuntimeException e) {
      f = null;
    }
    String address = f == null ? null : f.getString("address");
    if (f == null || !"message".equals(f.getString("type")) || Boolean.TRUE.equals(f.getValue("send"))
        || address == null || !address.startsWith(Addresses.OUT_PREFIX)) {
      return so.write(frame);
    }
    c.hold(address, BridgeGuard.openTime(f), new BridgeGuard.Held() {
      @Override
      public void deliver() {
        so.write(frame);
      }

      @Override
      public void discard() {
      }
    });
    return Future.succeededFuture();
  }

  // ---------------------------------------------------------------- delegation

  @Override
  public NetSocket exceptionHandler(Handler<Throwable> handler) {
    so.exceptionHandler(handler);
    return this;
  }

  /** The bridge's frame parser, behind {@link FrameCheck}. */
  @Override
  public NetSocket handler(Handler<Buffer> handler) {
    so.handler(handler == null ? null : new FrameCheck(handler));
    return this;
  }

  /**
   * Frames the TCP bridge's input ({@code <int32 length><JSON>}) ahead of the bridge's own parser,
   * which trusts what it is given: a negative length throws inside it (the client gets no answer and
   * its stream is misread from then on), a huge one makes it buffer forever, a body that is not JSON
   * is dropped without a word, and a frame with a field of the wrong type ({@code "type":true},
   * {@code "address":5}) throws. Here: a length outside 0..maxFrameBytes gets an {@code invalid_frame}
   * error frame and the connection is closed; a well-framed body the bridge cannot take gets the
   * {@link BridgeFrames#check reason} as an error frame and is not passed on; whole, valid frames go
   * to the bridge one by one. At most one frame (bounded by maxFrameBytes) is held. Found by
   * BridgeFuzzTest.
   */
  final class FrameCheck implements Handler<Buffer> {
    private final Handler<Buffer> bridge;
    private Buffer header = Buffer.buffer(4);
    private Buffer body;
    private int bodyLength;
    private boolean refused;

    FrameCheck(Handler<Buffer> bridge) {
      this.bridge = bridge;
    }

    @Override
    public void handle(Buffer b) {
      int n = b.length();
      int i = 0;
      while (i < n && !refused) {
        if (body == null) {
          int take = Math.min(4 - header.length(), n - i);
          header.appendBuffer(b, i, take);
          i += take;
          if (header.length() < 4) {
            break;
          }
          bodyLength = header.getInt(0);
          if (bodyLength < 0 || bodyLength > maxFrameBytes) {
            refuse("frame length " + bodyLength + " (allowed 0.." + maxFrameBytes + ")", true);
            return;
          }
          body = Buffer.buffer(bodyLength);
        }
        int take = Math.min(bodyLength - body.length(), n - i);
        body.appendBuffer(b, i, take);
        i += take;
        if (body.length() == bodyLength) {
          Buffer frame = body;
          body = null;
          header = Buffer.buffer(4);
          String why = BridgeFrames.check(frame);
          if (why != null) {
            refuse(why, false);
          } else {
            pass(Buffer.buffer(4 + bodyLength).appendInt(bodyLength).appendBuffer(frame));
          }
        }
      }
    }

    private void pass(Buffer frame) {
      try {
        bridge.handle(frame);
      } catch (RuntimeException e) {
        refuse("a frame the bridge could not take: " + e, true);
      }
    }

    private void refuse(String why, boolean close) {
      onMalformed.accept(why);
      FrameHelper.sendErrFrame(close ? "invalid_frame" : why, so);
      if (close) {
        refused = true;
        so.close();
      }
    }
  }


  @Override
  public NetSocket pause() {
    so.pause();
    return this;
  }

  @Override
  public NetSocket resume() {
    so.resume();
    return this;
  }

  @Override
  public NetSocket fetch(long amount) {
    so.fetch(amount);
    return this;
  }

  @Override
  public NetSocket endHandler(Handler<Void> endHandler) {
    so.endHandler(endHandler);
    return this;
  }

  @Override
  public NetSocket setWriteQueueMaxSize(int maxSize) {
    so.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return so.writeQueueFull();
  }

  @Override
  public NetSocket drainHandler(Handler<Void> handler) {
    so.drainHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return so.writeHandlerID();
  }

  @Override
  public Future<Void> write(String str) {
    return so.write(str);
  }

  @Override
  public Future<Void> write(String str, String enc) {
    return so.write(str, enc);
  }

  @Override
  public Future<Void> sendFile(String filename, long offset, long length) {
    return so.sendFile(filename, offset, length);
  }

  @Override
  public SocketAddress remoteAddress() {
    return so.remoteAddress();
  }

  @Override
  public SocketAddress remoteAddress(boolean real) {
    return so.remoteAddress(real);
  }

  @Override
  public SocketAddress localAddress() {
    return so.localAddress();
  }

  @Override
  public SocketAddress localAddress(boolean real) {
    return so.localAddress(real);
  }

  @Override
  public Future<Void> end() {
    return so.end();
  }

  @Override
  public Future<Void> close() {
    return so.close();
  }

  @Override
  public NetSocket closeHandler(Handler<Void> handler) {
    so.closeHandler(handler);
    return this;
  }

  @Override
  public NetSocket shutdownHandler(Handler<Void> handler) {
    so.shutdownHandler(handler);
    return this;
  }

  @Override
  public Future<Void> upgradeToSsl(SSLOptions sslOptions, String serverName, Buffer upgrade) {
    return so.upgradeToSsl(sslOptions, serverName, upgrade);
  }

  @Override
  public boolean isSsl() {
    return so.isSsl();
  }

  @Override
  public SSLSession sslSession() {
    return so.sslSession();
  }

  @Override
  public List<Certificate> peerCertificates() throws SSLPeerUnverifiedException {
    return so.peerCertificates();
  }

  @Override
  public String indicatedServerName() {
    return so.indicatedServerName();
  }

  @Override
  public String applicationLayerProtocol() {
    return so.applicationLayerProtocol();
  }
}
