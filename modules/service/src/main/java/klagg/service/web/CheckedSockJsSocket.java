package klagg.service.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.function.Consumer;

/**
 * The socket the SockJS event-bus bridge reads from: the client's own, except that each frame is
 * {@link BridgeFrames#check checked} first. The bridge casts a frame's fields, so {@code "address":5}
 * or {@code "type":true} throws inside it and the client never hears back; such a frame is answered
 * here with the bridge's own error frame ({@code {"type":"err","body":"invalid_frame"}}) and not
 * passed on. Text that is not JSON, which the bridge drops without a word, is answered
 * {@code invalid_json}.
 * Found by BridgeFuzzTest.
 */
final class CheckedSockJsSocket implements SockJSSocket {
  private final SockJSSocket so;
  private final Consumer<String> onMalformed;

  CheckedSockJsSocket(SockJSSocket so, Consumer<String> onMalformed) {
    this.so = so;
    this.onMalformed = onMalformed;
  }

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    if (handler == null) {
      so.handler(null);
      return this;
    }
    so.handler(data -> {
      String why = BridgeFrames.check(data);
      if (why == null) {
        try {
          handler.handle(data);
          return;
        } catch (RuntimeException e) {
          why = "invalid_frame";
        }
      }
      onMalformed.accept(why);
      so.write("{\"type\":\"err\",\"body\":\"" + why + "\"}");
    });
    return this;
  }

  // ---------------------------------------------------------------- delegation

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    so.exceptionHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket pause() {
    so.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    so.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    so.fetch(amount);
    return this;
  }

  @Override
  public SockJSSocket endHandler(Handler<Void> endHandler) {
    so.endHandler(endHandler);
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> closeHandler) {
    so.closeHandler(closeHandler);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return so.write(data);
  }

  @Override
  public Future<Void> write(String data) {
    return so.write(data);
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    so.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return so.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    so.drainHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return so.writeHandlerID();
  }

  @Override
  public Future<Void> end() {
    return so.end();
  }

  @Override
  public void close() {
    so.close();
  }

  @Override
  public void close(int statusCode, String reason) {
    so.close(statusCode, reason);
  }

  @Override
  public SocketAddress remoteAddress() {
    return so.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return so.localAddress();
  }

  @Override
  public MultiMap headers() {
    return so.headers();
  }

  @Override
  public String uri() {
    return so.uri();
  }

  @Override
  public RoutingContext routingContext() {
    return so.routingContext();
  }

  @Override
  public Session webSession() {
    return so.webSession();
  }

  @Override
  public User webUser() {
    return so.webUser();
  }
}
