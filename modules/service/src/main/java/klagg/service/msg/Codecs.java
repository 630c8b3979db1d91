package klagg.service.msg;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import klagg.core.KlineDelta;
import klagg.core.TradeBatch;

/**
 * The one place codecs are registered. Local delivery passes the immutable object itself
 * ({@code transform} returns it); these messages never leave the JVM in single-node mode.
 */
public final class Codecs {
  private Codecs() {}

  public static void register(Vertx vertx) {
    var bus = vertx.eventBus();
    bus.registerDefaultCodec(TradeBatch.class, new Local<>(TradeBatch.class));
    bus.registerDefaultCodec(KlineDelta.class, new Local<>(KlineDelta.class));
    bus.registerDefaultCodec(CycleUpdate.class, new Local<>(CycleUpdate.class));
  }

  /** Pass-through codec for immutable local messages. */
  static final class Local<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    Local(Class<T> type) {
      this.type = type;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
      throw new UnsupportedOperationException(type.getSimpleName() + " is local only");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException(type.getSimpleName() + " is local only");
    }

    @Override
    public T transform(T t) {
      return t;
    }

    @Override
    public String name() {
      return "klagg.local." + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
