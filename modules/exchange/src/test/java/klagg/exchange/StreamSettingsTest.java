package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StreamSettingsTest {

  @Test
  void defaultsComeFromTheSpotVenueWithAMargin() {
    StreamSettings s = StreamSettings.of(ExchangeEndpoints.binanceSpot(), new StreamClientOptions());
    assertThat(s.streamsPerConnection()).isEqualTo(1024);
    assertThat(s.msgsPerSecond()).as("5 msg/s minus a margin").isEqualTo(4);
    assertThat(s.rotateAfterMs()).as("a day minus an hour").isEqualTo(23 * 3_600_000L);
    assertThat(s.silenceMinMs()).isEqualTo(3_000);
    assertThat(s.silenceMaxMs()).as("spot pings every 20 s").isEqualTo(30_000);
  }

  @Test
  void defaultsComeFromTheFuturesVenue() {
    StreamSettings s = StreamSettings.of(ExchangeEndpoints.binanceFutures(), new StreamClientOptions());
    assertThat(s.streamsPerConnection()).isEqualTo(200);
    assertThat(s.msgsPerSecond()).as("10 msg/s minus a margin").isEqualTo(8);
    assertThat(s.silenceMaxMs()).as("futures pings every 3 min").isEqualTo(270_000);
  }

  @Test
  void optionsAreCappedAtTheVenueLimits() {
    StreamSettings s = StreamSettings.of(ExchangeEndpoints.binanceSpot(), new StreamClientOptions()
        .setMaxStreamsPerConnection(5000).setMaxMessagesPerSecond(50));
    assertThat(s.streamsPerConnection()).isEqualTo(1024);
    assertThat(s.msgsPerSecond()).isEqualTo(5);

    StreamSettings lower = StreamSettings.of(ExchangeEndpoints.binanceSpot(), new StreamClientOptions()
        .setMaxStreamsPerConnection(100).setMaxMessagesPerSecond(2).setRotateAfterMs(60_000));
    assertThat(lower.streamsPerConnection()).isEqualTo(100);
    assertThat(lower.msgsPerSecond()).isEqualTo(2);
    assertThat(lower.rotateAfterMs()).isEqualTo(60_000);
  }

  @Test
  void silenceIsBoundedByTheReadIdleTimeoutAndOffMeansOneMillisecond() {
    StreamSettings s = StreamSettings.of(ExchangeEndpoints.binanceFutures(), new StreamClientOptions()
        .setReadIdleTimeoutMs(60_000).setSilenceMinMs(0));
    assertThat(s.silenceMaxMs()).isEqualTo(60_000);
    assertThat(s.silenceMinMs()).isEqualTo(1);
  }

  @Test
  void jsonOptionsAreReadWithDefaultsForMissingKeys() {
    StreamClientOptions o = StreamClientOptions.fromJson(new JsonObject().put("maxMessagesPerSecond", 3));
    StreamSettings s = StreamSettings.of(ExchangeEndpoints.binanceSpot(), o);
    assertThat(s.msgsPerSecond()).isEqualTo(3);
    assertThat(s.streamsPerConnection()).isEqualTo(1024);
    assertThat(o.getMaxParamsPerCommand()).isEqualTo(200);
    assertThat(o.getReconnectBaseMs()).isEqualTo(500);
  }

  @Test
  void invalidOptionsAreRejectedByName() {
    assertThatThrownBy(() -> StreamSettings.of(ExchangeEndpoints.binanceSpot(),
        new StreamClientOptions().setRateWindowMs(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream option 'rateWindowMs' must be >= 1000");
    assertThatThrownBy(() -> StreamClientOptions.fromJson(new JsonObject()
        .put("reconnectBaseMs", 1000).put("reconnectMaxMs", 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'reconnectMaxMs'");
  }
}
