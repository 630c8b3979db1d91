package klagg.service.msg;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import klagg.core.KlineDelta;
import klagg.core.PullRequest;
import klagg.core.TradeBatch;
import klagg.core.WireIn;
import klagg.core.WireOut;

/**
 * The one place codecs are registered. Local delivery passes the immutable object itself
 * ({@code transform} returns it); across cluster nodes the messages travel in a compact binary form
 * (primitive columns, no Java serialization, no JSON).
 */
public final class Codecs {
  private Codecs() {}

  public static final MessageCodec<TradeBatch, TradeBatch> TRADE_BATCH =
      new Binary<>(TradeBatch.class, TradeBatch::writeTo, TradeBatch::readFrom);
  public static final MessageCodec<KlineDelta, KlineDelta> KLINE_DELTA =
      new Binary<>(KlineDelta.class, KlineDelta::writeTo, KlineDelta::readFrom);
  public static final MessageCodec<PullRequest, PullRequest> PULL_REQUEST =
      new Binary<>(PullRequest.class, PullRequest::writeTo, PullRequest::readFrom);
  public static final MessageCodec<CycleUpdate, CycleUpdate> CYCLE_UPDATE =
      new Binary<>(CycleUpdate.class, Codecs::writeCycle, Codecs::readCycle);

  public static void register(Vertx vertx) {
    var bus = vertx.eventBus();
    bus.registerDefaultCodec(TradeBatch.class, TRADE_BATCH);
    bus.registerDefaultCodec(KlineDelta.class, KLINE_DELTA);
    bus.registerDefaultCodec(PullRequest.class, PULL_REQUEST);
    bus.registerDefaultCodec(CycleUpdate.class, CYCLE_UPDATE);
  }

  static void writeCycle(CycleUpdate u, WireOut out) {
    out.writeLong(u.cycle());
    out.writeLong(u.serverTime());
    out.writeInt(u.deltas().size());
    for (KlineDelta d : u.deltas()) {
      d.writeTo(out);
    }
  }

  static CycleUpdate readCycle(WireIn in) {
    long cycle = in.readLong();
    long time = in.readLong();
    int n = in.readInt();
    List<KlineDelta> ds = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ds.add(KlineDelta.readFrom(in));
    }
    return new CycleUpdate(cycle, time, ds);
  }

  /** Buffer as the core's wire output. */
  static final class Out implements WireOut {
    final Buffer b;

    Out(Buffer b) {
      this.b = b;
    }

    @Override
    public void writeInt(int v) {
      b.appendInt(v);
    }

    @Override
    public void writeLong(long v) {
      b.appendLong(v);
    }

    @Override
    public void writeByte(int v) {
      b.appendByte((byte) v);
    }
  }

  /** Buffer from a position as the core's wire input. */
  static final class In implements WireIn {
    final Buffer b;
    int pos;

    In(Buffer b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    @Override
    public int readInt() {
      int v = b.getInt(pos);
      pos += 4;
      return v;
    }

    @Override
    public long readLong() {
      long v = b.getLong(pos);
      pos += 8;
      return v;
    }

    @Override
    public byte readByte() {
      return b.getByte(pos++);
    }
  }

  /** Pass-through locally, length-prefixed binary on the wire. */
  static final class Binary<T> implements MessageCodec<T, T> {
    private final Class<T> type;
    private final BiConsumer<T, WireOut> writer;
    private final Function<WireIn, T> reader;

    Binary(Class<T> type, BiConsumer<T, WireOut> writer, Function<WireIn, T> reader) {
      this.type = type;
      this.writer = writer;
      this.reader = reader;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
      int lenPos = buffer.length();
      buffer.appendInt(0);
      writer.accept(t, new Out(buffer));
      buffer.setInt(lenPos, buffer.length() - lenPos - 4);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      return reader.apply(new In(buffer, pos + 4));
    }

    @Override
    public T transform(T t) {
      return t;
    }

    @Override
    public String name() {
      return "klagg." + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
