package klagg.exchange;

import static klagg.exchange.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamConnectorTest {
  private final Vertx vertx = Vertx.vertx();
  private StreamConnector connector;

  @AfterEach
  void tearDown() {
    if (connector != null) {
      await(connector.close());
    }
    await(vertx.close());
  }

  @Test
  void theFirstStreamsGoInTheUrlTheRestAreLeftToSubscribe() {
    connector = new StreamConnector(vertx, ExchangeEndpoints.sim("http://127.0.0.1:9090"),
        new StreamClientOptions().setMaxStreamsInUrl(2));
    List<String> url = connector.urlStreams(List.of("a@aggTrade", "b@aggTrade", "c@aggTrade"));
    assertThat(url).containsExactly("a@aggTrade", "b@aggTrade");
    assertThat(connector.uri(url)).isEqualTo("/stream?streams=a@aggTrade/b@aggTrade");
    assertThat(connector.address()).isEqualTo("127.0.0.1:9090");
  }

  @Test
  void withoutUrlStreamsTheBarePathIsUsed() {
    connector = new StreamConnector(vertx, ExchangeEndpoints.sim("http://127.0.0.1:9090"),
        new StreamClientOptions().setMaxStreamsInUrl(0));
    List<String> url = connector.urlStreams(List.of("a@aggTrade"));
    assertThat(url).isEmpty();
    assertThat(connector.uri(url)).isEqualTo("/stream");
  }

  @Test
  void secureVenuesDefaultToPort443UnderTheirPathPrefix() {
    connector = new StreamConnector(vertx, ExchangeEndpoints.binanceFutures(), new StreamClientOptions());
    assertThat(connector.address()).isEqualTo("fstream.binance.com:443");
    assertThat(connector.uri(List.of("btcusdt@aggTrade"))).isEqualTo("/market/stream?streams=btcusdt@aggTrade");
    StreamConnector spot = new StreamConnector(vertx, ExchangeEndpoints.binanceSpot(), new StreamClientOptions());
    assertThat(spot.address()).isEqualTo("stream.binance.com:9443");
    await(spot.close());
  }
}
