package klagg.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BridgeInterestTest {
  @Test
  void anAddressStaysWantedUntilItsLastRegistrationGoes() {
    BridgeInterest i = new BridgeInterest();
    Object a = new Object();
    Object b = new Object();
    assertThat(i.isEmpty()).isTrue();
    i.register(a, "klagg.out.kline.BTCUSDT.1m");
    i.register(a, "klagg.out.kline.BTCUSDT.1m"); // the same client twice
    i.register(b, "klagg.out.kline.BTCUSDT.1m");
    i.register(b, "klagg.out.changes");
    assertThat(i.registrations()).isEqualTo(4);
    i.unregister(a, "klagg.out.kline.BTCUSDT.1m");
    i.unregister(a, "klagg.out.changes"); // never registered by a: ignored
    assertThat(i.has("klagg.out.changes")).isTrue();
    assertThat(i.has("klagg.out.kline.BTCUSDT.1m")).isTrue();
    i.closed(b);
    assertThat(i.has("klagg.out.changes")).isFalse();
    assertThat(i.has("klagg.out.kline.BTCUSDT.1m")).as("a's second registration").isTrue();
    i.unregister(a, "klagg.out.kline.BTCUSDT.1m");
    assertThat(i.isEmpty()).isTrue();
    assertThat(i.registrations()).isZero();
    i.closed(a); // nothing left: no effect
    assertThat(i.isEmpty()).isTrue();
  }
}
