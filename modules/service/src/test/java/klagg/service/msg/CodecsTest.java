package klagg.service.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import klagg.core.AggTrade;
import klagg.core.Interval;
import klagg.core.Kline;
import klagg.core.KlineBook;
import klagg.core.KlineDelta;
import klagg.core.PullRequest;
import klagg.core.TradeBatch;
import org.junit.jupiter.api.Test;

class CodecsTest {
  @Test
  void localDeliveryPassesTheObjectItself() {
    TradeBatch b = new TradeBatch.Builder(1).build();
    assertThat(Codecs.TRADE_BATCH.transform(b)).isSameAs(b);
    PullRequest p = new PullRequest(3, 4);
    assertThat(Codecs.PULL_REQUEST.transform(p)).isSameAs(p);
  }

  @Test
  void theFencingTokenCrossesTheWireWithTheDeltaAndThePull() {
    KlineBook book = new KlineBook(Interval.DEFAULTS, 2000, 4);
    AggTrade t = new AggTrade();
    book.addSymbol(0, 2, 8);
    t.set(0, 5, 99_999_99L, 2, 123_456L, 8, 1, 3, 1_700_000_000_000L, false);
    book.apply(t);
    KlineDelta d = book.takeDelta(0).fenced(2, 77);
    Buffer buf = Buffer.buffer().appendString("x");
    Codecs.KLINE_DELTA.encodeToWire(buf, d);
    Codecs.PULL_REQUEST.encodeToWire(buf, new PullRequest(5, 77));
    KlineDelta e = Codecs.KLINE_DELTA.decodeFromWire(1, buf);
    assertThat(e.shard()).isEqualTo(2);
    assertThat(e.fence()).isEqualTo(77);
    assertThat(e.size()).isEqualTo(d.size());
    PullRequest p = Codecs.PULL_REQUEST.decodeFromWire(1 + 4 + buf.getInt(1), buf);
    assertThat(p.ack()).isEqualTo(5);
    assertThat(p.fence()).isEqualTo(77);
  }

  @Test
  void cycleUpdateCrossesTheWireIntactAfterOtherBytes() {
    KlineBook book = new KlineBook(Interval.DEFAULTS, 2000, 4);
    AggTrade t = new AggTrade();
    for (int s = 0; s < 10; s++) {
      book.addSymbol(s, 2, 8);
      t.set(s, 5, 99_999_999_99L, 2, 123_456_789_012L, 8, 1, 3, 1_700_000_000_000L, false);
      book.apply(t);
    }
    CycleUpdate u = new CycleUpdate(42, 1_700_000_000_123L, List.of(book.takeDelta(0), book.takeDelta(0)));
    Buffer buf = Buffer.buffer().appendString("header");
    Codecs.CYCLE_UPDATE.encodeToWire(buf, u);
    buf.appendString("trailer");
    CycleUpdate v = Codecs.CYCLE_UPDATE.decodeFromWire(6, buf);
    assertThat(v.cycle()).isEqualTo(42);
    assertThat(v.serverTime()).isEqualTo(1_700_000_000_123L);
    assertThat(v.rows()).isEqualTo(u.rows()).isEqualTo(160);
    KlineDelta d = u.deltas().get(1);
    KlineDelta e = v.deltas().get(1);
    for (int i = 0; i < d.size(); i++) {
      assertThat(e.get(i, new Kline()).toString()).isEqualTo(d.get(i, new Kline()).toString());
    }
  }
}
