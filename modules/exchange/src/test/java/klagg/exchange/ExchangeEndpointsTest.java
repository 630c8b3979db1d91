package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ExchangeEndpointsTest {

  @Test
  void presets() {
    ExchangeEndpoints spot = ExchangeEndpoints.binanceSpot();
    assertThat(spot.restUrl("klines")).isEqualTo("https://api.binance.com/api/v3/klines");
    assertThat(spot.combinedStreamUrl()).isEqualTo("wss://stream.binance.com:9443/stream");
    assertThat(spot.maxStreamsPerConnection()).isEqualTo(1024);
    assertThat(spot.maxIncomingMessagesPerSecond()).isEqualTo(5);
    assertThat(spot.klinesMaxLimit()).isEqualTo(1000);
    assertThat(spot.connectionLifetimeMs()).isEqualTo(86_400_000L);
    assertThat(spot.klinesWeight(1000)).isEqualTo(2);

    ExchangeEndpoints fut = ExchangeEndpoints.binanceFutures();
    assertThat(fut.restUrl("aggTrades")).isEqualTo("https://fapi.binance.com/fapi/v1/aggTrades");
    assertThat(fut.combinedStreamUrl()).isEqualTo("wss://fstream.binance.com/market/stream");
    assertThat(fut.maxStreamsPerConnection()).isEqualTo(200);
    assertThat(fut.maxIncomingMessagesPerSecond()).isEqualTo(10);
    assertThat(fut.klinesMaxLimit()).isEqualTo(1500);
    assertThat(fut.klinesWeight(99)).isEqualTo(1);
    assertThat(fut.klinesWeight(499)).isEqualTo(2);
    assertThat(fut.klinesWeight(1000)).isEqualTo(5);
    assertThat(fut.klinesWeight(1500)).isEqualTo(10);

    ExchangeEndpoints sim = ExchangeEndpoints.sim("http://127.0.0.1:9090/");
    assertThat(sim.restUrl("time")).isEqualTo("http://127.0.0.1:9090/api/v3/time");
    assertThat(sim.combinedStreamUrl()).isEqualTo("ws://127.0.0.1:9090/stream");
  }

  @Test
  void fromJsonOverridesEverything() {
    ExchangeEndpoints e = ExchangeEndpoints.fromJson(new JsonObject()
        .put("venue", "futures")
        .put("restBaseUrl", "https://example.test")
        .put("wsBaseUrl", "wss://ws.example.test:443/")
        .put("wsPathPrefix", "public")
        .put("maxStreamsPerConnection", 150)
        .put("connectionLifetimeMs", "3600000"));
    assertThat(e.venue()).isEqualTo(ExchangeEndpoints.Venue.FUTURES);
    assertThat(e.restUrl("time")).isEqualTo("https://example.test/fapi/v1/time");
    assertThat(e.combinedStreamUrl()).isEqualTo("wss://ws.example.test:443/public/stream");
    assertThat(e.maxStreamsPerConnection()).isEqualTo(150);
    assertThat(e.connectionLifetimeMs()).isEqualTo(3_600_000L);
    assertThat(e.klinesMaxLimit()).isEqualTo(1500);
    assertThat(ExchangeEndpoints.fromJson(e.toJson()).toJson()).isEqualTo(e.toJson());

    ExchangeEndpoints sim = ExchangeEndpoints.fromJson(new JsonObject().put("venue", "sim")
        .put("baseUrl", "http://127.0.0.1:19090"));
    assertThat(sim.wsBaseUrl()).isEqualTo("ws://127.0.0.1:19090");
    assertThat(ExchangeEndpoints.fromJson(new JsonObject()).venue()).isEqualTo(ExchangeEndpoints.Venue.SPOT);
  }

  @Test
  void validationNamesTheKey() {
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("wsBaseUrl", "http://x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'wsBaseUrl'");
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("restBaseUrl", "not a url")))
        .hasMessageContaining("'restBaseUrl'");
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("maxStreamsPerConnection", 0)))
        .hasMessageContaining("'maxStreamsPerConnection'");
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("klinesMaxLimit", "many")))
        .hasMessageContaining("'klinesMaxLimit'");
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("venue", "kraken")))
        .hasMessageContaining("'venue'");
    assertThatThrownBy(() -> ExchangeEndpoints.fromJson(new JsonObject().put("restPrefix", 7)))
        .hasMessageContaining("'restPrefix'");
  }
}
