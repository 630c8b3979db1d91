package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireFormTest {
  static final class Buf implements WireOut, WireIn {
    final ByteBuffer b = ByteBuffer.allocate(1 << 20);

    public void writeInt(int v) {
      b.putInt(v);
    }

    public void writeLong(long v) {
      b.putLong(v);
    }

    public void writeByte(int v) {
      b.put((byte) v);
    }

    public int readInt() {
      return b.getInt();
    }

    public long readLong() {
      return b.getLong();
    }

    public byte readByte() {
      return b.get();
    }
  }

  @Test
  void tradeBatchRoundTrips() {
    Random r = new Random(1);
    TradeBatch.Builder bb = new TradeBatch.Builder(2);
    AggTrade t = new AggTrade();
    for (int i = 0; i < 100; i++) {
      t.set(r.nextInt(5000), r.nextLong(), r.nextLong(), r.nextInt(19), r.nextLong(), r.nextInt(19), r.nextLong(),
          r.nextLong(), r.nextLong(), r.nextBoolean());
      t.eventTime = r.nextLong();
      bb.add(t);
    }
    TradeBatch b = bb.build();
    Buf buf = new Buf();
    b.writeTo(buf);
    assertThat(buf.b.position()).isEqualTo(b.wireSize());
    buf.b.flip();
    TradeBatch c = TradeBatch.readFrom(buf);
    assertThat(c.size()).isEqualTo(100);
    AggTrade x = new AggTrade();
    AggTrade y = new AggTrade();
    for (int i = 0; i < 100; i++) {
      assertThat(c.get(i, y).toString()).isEqualTo(b.get(i, x).toString());
    }
  }

  @Test
  void klineDeltaRoundTrips() {
    KlineBook book = new KlineBook(Interval.DEFAULTS, 2000, 4);
    AggTrade t = new AggTrade();
    for (int s = 0; s < 20; s++) {
      book.addSymbol(s, 2, 3);
      t.set(s, 1, 123_45 + s, 2, 1_500, 3, 7, 9, 1_700_000_000_000L + s, s % 2 == 0);
      book.apply(t);
    }
    book.onTick(1_700_000_000_000L + 120_000);
    KlineDelta d = book.takeDelta(0);
    Buf buf = new Buf();
    d.writeTo(buf);
    buf.b.flip();
    KlineDelta e = KlineDelta.readFrom(buf);
    assertThat(e.epoch()).isEqualTo(d.epoch());
    assertThat(e.size()).isEqualTo(d.size()).isGreaterThan(100);
    for (int i = 0; i < d.size(); i++) {
      assertThat(e.get(i, new Kline())).usingRecursiveComparison().isEqualTo(d.get(i, new Kline()));
      assertThat(e.closed(i)).isEqualTo(d.closed(i));
    }
  }
}
