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

  private StreamConnector connector(ExchangeEndpoints endpoints, StreamClientOptions options) {
    return new StreamConnector(vertx, endpoints, StreamSettings.of(endpoints, options), options);
  }

  @Test
  void theFirstStreamsGoInTheUrlTheRestAreLeftToSubscribe() {
    connector = connector(ExchangeEndpoints.sim("http://127.0.0.1:9090"),
        new StreamClientOptions().setMaxStreamsInUrl(2));
    List<String> url = connector.urlStreams(List.of("a@aggTrade", "b@aggTrade", "c@aggTrade"));
    assertThat(url).containsExactly("a@aggTrade", "b@aggTrade");
    assertThat(connector.uri(url)).isEqualTo("/stream?streams=a@aggTrade/b@aggTrade");
    assertThat(connector.address()).isEqualTo("127.0.0.1:9090");
  }

  @Test
  void withoutUrlStreamsTheBarePathIsUsed() {
    connector = connector(ExchangeEndpoints.sim("http://127.0.0.1:9090"),
        new StreamClientOptions().setMaxStreamsInUrl(0));
    List<String> url = connector.urlStreams(List.of("a@aggTrade"));
    assertThat(url).isEmpty();
    assertThat(connector.uri(url)).isEqualTo("/stream");
  }

  @Test
  void secureVenuesDefaultToPort443UnderTheirPathPrefix() {
    connector = connector(ExchangeEndpoints.binanceFutures(), new StreamClientOptions());
    assertThat(connector.address()).isEqualTo("fstream.binance.com:443");
    assertThat(connector.uri(List.of("btcusdt@aggTrade"))).isEqualTo("/market/stream?streams=btcusdt@aggTrade");
    StreamConnector spot = connector(ExchangeEndpoints.binanceSpot(), new StreamClientOptions());
    assertThat(spot.address()).isEqualTo("stream.binance.com:9443");
    await(spot.close());
  }

  @Test
  void eachNewConnectionGetsTheNextIdAndItsOwnSendBudget() {
    connector = connector(ExchangeEndpoints.sim("http://127.0.0.1:9090"), new StreamClientOptions());
    StreamSlot slot = new StreamSlot();
    StreamLink first = connector.newLink(slot);
    StreamLink second = connector.newLink(slot);
    assertThat(first.id).isEqualTo(1);
    assertThat(second.id).isEqualTo(2);
    assertThat(first.slot).isSameAs(slot);
    assertThat(first.rate).isNotSameAs(second.rate);
    assertThat(first.rate.canSend(0)).isTrue();
  }
}
