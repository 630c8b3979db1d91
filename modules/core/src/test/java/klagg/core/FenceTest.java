package klagg.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FenceTest {
  @Test
  void anOlderTokenIsStaleAndNoTokenNever() {
    assertThat(Fence.stale(3, 4)).isTrue();
    assertThat(Fence.stale(4, 4)).isFalse();
    assertThat(Fence.stale(5, 4)).isFalse();
    assertThat(Fence.stale(Fence.NONE, 4)).isFalse();
    assertThat(Fence.newer(3, 7)).isEqualTo(7);
  }

  @Test
  void onlyTheNewestOwnersOutputIsAdmittedPerShard() {
    ShardFences f = new ShardFences(2);
    assertThat(f.newest(0)).isEqualTo(Fence.NONE);
    assertThat(f.admit(0, 5)).isTrue();
    assertThat(f.admit(0, 5)).isTrue(); // the same owner, again
    assertThat(f.admit(0, 7)).as("a new owner").isTrue();
    assertThat(f.newest(0)).isEqualTo(7);
    assertThat(f.admit(0, 5)).as("the old owner, back after a pause").isFalse();
    assertThat(f.newest(0)).isEqualTo(7);
    assertThat(f.admit(1, 2)).as("shards are fenced apart").isTrue();
    assertThat(f.admit(9, 1)).as("a shard beyond the initial size").isTrue();
    assertThat(f.admit(9, 0)).as("no token").isTrue();
    assertThat(f.admit(-1, 1)).as("no shard").isTrue();
    assertThat(f.newest(9)).isEqualTo(1);
  }

  @Test
  void theTokenTravelsWithTheDeltaAndThePull() {
    KlineBook book = new KlineBook(Interval.DEFAULTS, 2000, 4);
    AggTrade t = new AggTrade();
    book.addSymbol(0, 2, 3);
    t.set(0, 1, 123_45, 2, 1_500, 3, 7, 9, 1_700_000_000_000L, true);
    book.apply(t);
    KlineDelta plain = book.takeDelta(0);
    assertThat(plain.shard()).isEqualTo(-1);
    assertThat(plain.fence()).isEqualTo(Fence.NONE);
    KlineDelta d = plain.fenced(3, 42);
    assertThat(d.shard()).isEqualTo(3);
    assertThat(d.fence()).isEqualTo(42);
    assertThat(d.epoch()).isEqualTo(plain.epoch());
    assertThat(d.size()).isEqualTo(plain.size()).isPositive();

    WireFormTest.Buf buf = new WireFormTest.Buf();
    d.writeTo(buf);
    new PullRequest(17, 42).writeTo(buf);
    buf.b.flip();
    KlineDelta e = KlineDelta.readFrom(buf);
    assertThat(e.shard()).isEqualTo(3);
    assertThat(e.fence()).isEqualTo(42);
    assertThat(e.epoch()).isEqualTo(d.epoch());
    for (int i = 0; i < d.size(); i++) {
      assertThat(e.get(i, new Kline())).usingRecursiveComparison().isEqualTo(d.get(i, new Kline()));
    }
    PullRequest p = PullRequest.readFrom(buf);
    assertThat(p.ack()).isEqualTo(17);
    assertThat(p.fence()).isEqualTo(42);
  }
}
