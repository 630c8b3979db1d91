package klagg.exchange;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens the WebSocket connections of a {@link StreamClient} to the venue's combined-stream endpoint
 * ({@code /stream?streams=a/b}, the first {@code maxStreamsInUrl} streams in the URL), with its
 * frame and message size limits, connect timeout and read idle timeout; and the state of each new
 * connection ({@link StreamLink}: id, send budget, silence judge, message buffer). Holds its
 * {@link WebSocketClient} (an unreferenced client is closed when garbage collected).
 */
final class StreamConnector {
  private final WebSocketClient client;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String path;
  private final int maxStreamsInUrl;
  private final long connectTimeoutMs;
  private final StreamSettings settings;
  private final StreamClientOptions options;
  private int nextConnId = 1;

  StreamConnector(Vertx vertx, ExchangeEndpoints endpoints, StreamSettings settings, StreamClientOptions options) {
    this.settings = settings;
    this.options = options;
    URI u = URI.create(endpoints.combinedStreamUrl());
    this.ssl = "wss".equalsIgnoreCase(u.getScheme());
    this.host = u.getHost();
    this.port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
    this.path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/stream" : u.getRawPath();
    this.maxStreamsInUrl = options.getMaxStreamsInUrl();
    this.connectTimeoutMs = options.getConnectTimeoutMs();
    WebSocketClientOptions wo = new WebSocketClientOptions()
        .setMaxFrameSize(options.getMaxFrameSize())
        .setMaxMessageSize(options.getMaxMessageSize())
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeoutMs()))
        .setMaxConnections(Integer.MAX_VALUE)
        .setTcpNoDelay(true);
    if (options.getReadIdleTimeoutMs() > 0) {
      wo.setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, options.getReadIdleTimeoutMs()));
      wo.setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    this.client = vertx.createWebSocketClient(wo);
  }

  /**
   * A new connection's state, with the next id; its judge inherits the rhythm of the slot's current
   * connection, else of its last one.
   */
  StreamLink newLink(StreamSlot slot) {
    SilenceJudge judge = new SilenceJudge(System::currentTimeMillis, settings.silenceMinMs(), options.getSilenceFactor(),
        settings.silenceMaxMs());
    judge.inherit(slot.current != null ? slot.current.judge : slot.lastJudge);
    int perSecond = settings.msgsPerSecond();
    return new StreamLink(nextConnId++, slot, judge,
        new RateWindow(perSecond, options.getRateWindowMs(), options.getRateWindowMs() / perSecond),
        new MessageAssembler(options.getMaxMessageSize()));
  }

  /** The streams a connection for {@code streams} names in its URL: the first {@code maxStreamsInUrl}. */
  List<String> urlStreams(Collection<String> streams) {
    List<String> urlStreams = new ArrayList<>();
    for (String s : streams) {
      if (urlStreams.size() >= maxStreamsInUrl) {
        break;
      }
      urlStreams.add(s);
    }
    return urlStreams;
  }

  /** The request URI: the path, with {@code ?streams=a/b} unless there are none. */
  String uri(List<String> urlStreams) {
    return urlStreams.isEmpty() ? path : path + "?streams=" + String.join("/", urlStreams);
  }

  /** Opens a connection delivering {@code urlStreams} from the start. */
  Future<WebSocket> open(List<String> urlStreams) {
    WebSocketConnectOptions co = new WebSocketConnectOptions().setHost(host).setPort(port).setSsl(ssl)
        .setURI(uri(urlStreams)).setConnectTimeout(connectTimeoutMs);
    return client.connect(co);
  }

  /** {@code host:port}, for logs. */
  String address() {
    return host + ":" + port;
  }

  Future<Void> close() {
    return client.close();
  }
}
