package klagg.exchange;

import io.vertx.core.json.JsonObject;

/**
 * Tuning of {@link StreamClient}. Zero for a limit means "take the venue's value from
 * {@link ExchangeEndpoints}". JSON keys equal the setter names without {@code set}.
 */
public final class StreamClientOptions {
  private int maxStreamsPerConnection = 0;
  private int maxMessagesPerSecond = 0;
  private int maxParamsPerCommand = 200;
  private long rateWindowMs = 1250;
  private int maxStreamsInUrl = 100;
  private long reconnectBaseMs = 500;
  private long reconnectMaxMs = 30_000;
  private long stableAfterMs = 10_000;
  private long rotateAfterMs = 0;
  private long readIdleTimeoutMs = 300_000;
  private long silenceMinMs = 3_000;
  private double silenceFactor = 5.0;
  private long silenceMaxMs = 0;
  private long replaceAfterMs = 10_000;
  private long connectTimeoutMs = 10_000;
  private int maxFrameSize = 1 << 20;
  private int maxMessageSize = 16 << 20;

  public StreamClientOptions() {}

  public static StreamClientOptions fromJson(JsonObject j) {
    StreamClientOptions o = new StreamClientOptions();
    if (j == null) {
      return o;
    }
    o.maxStreamsPerConnection = j.getInteger("maxStreamsPerConnection", o.maxStreamsPerConnection);
    o.maxMessagesPerSecond = j.getInteger("maxMessagesPerSecond", o.maxMessagesPerSecond);
    o.maxParamsPerCommand = j.getInteger("maxParamsPerCommand", o.maxParamsPerCommand);
    o.rateWindowMs = j.getLong("rateWindowMs", o.rateWindowMs);
    o.maxStreamsInUrl = j.getInteger("maxStreamsInUrl", o.maxStreamsInUrl);
    o.reconnectBaseMs = j.getLong("reconnectBaseMs", o.reconnectBaseMs);
    o.reconnectMaxMs = j.getLong("reconnectMaxMs", o.reconnectMaxMs);
    o.stableAfterMs = j.getLong("stableAfterMs", o.stableAfterMs);
    o.rotateAfterMs = j.getLong("rotateAfterMs", o.rotateAfterMs);
    o.readIdleTimeoutMs = j.getLong("readIdleTimeoutMs", o.readIdleTimeoutMs);
    o.silenceMinMs = j.getLong("silenceMinMs", o.silenceMinMs);
    o.silenceFactor = j.getDouble("silenceFactor", o.silenceFactor);
    o.silenceMaxMs = j.getLong("silenceMaxMs", o.silenceMaxMs);
    o.replaceAfterMs = j.getLong("replaceAfterMs", o.replaceAfterMs);
    o.connectTimeoutMs = j.getLong("connectTimeoutMs", o.connectTimeoutMs);
    o.maxFrameSize = j.getInteger("maxFrameSize", o.maxFrameSize);
    o.maxMessageSize = j.getInteger("maxMessageSize", o.maxMessageSize);
    o.validate();
    return o;
  }

  void validate() {
    check(maxStreamsPerConnection >= 0, "maxStreamsPerConnection", ">= 0");
    check(maxMessagesPerSecond >= 0, "maxMessagesPerSecond", ">= 0");
    check(rateWindowMs >= 1000, "rateWindowMs", ">= 1000");
    check(maxParamsPerCommand > 0, "maxParamsPerCommand", "> 0");
    check(maxStreamsInUrl >= 0, "maxStreamsInUrl", ">= 0");
    check(reconnectBaseMs > 0, "reconnectBaseMs", "> 0");
    check(reconnectMaxMs >= reconnectBaseMs, "reconnectMaxMs", ">= reconnectBaseMs");
    check(stableAfterMs >= 0, "stableAfterMs", ">= 0");
    check(rotateAfterMs >= 0, "rotateAfterMs", ">= 0");
    check(readIdleTimeoutMs >= 0, "readIdleTimeoutMs", ">= 0");
    check(silenceMinMs >= 0, "silenceMinMs", ">= 0 (0 = off)");
    check(silenceFactor >= 1 && silenceFactor <= 1000, "silenceFactor", "between 1 and 1000");
    check(silenceMaxMs >= 0, "silenceMaxMs", ">= 0 (0 = from the venue's ping schedule)");
    check(silenceMaxMs == 0 || silenceMaxMs >= silenceMinMs, "silenceMaxMs", ">= silenceMinMs");
    check(replaceAfterMs >= 0, "replaceAfterMs", ">= 0 (0 = never replace)");
    check(connectTimeoutMs > 0, "connectTimeoutMs", "> 0");
    check(maxFrameSize > 0, "maxFrameSize", "> 0");
    check(maxMessageSize >= maxFrameSize, "maxMessageSize", ">= maxFrameSize");
  }

  private static void check(boolean ok, String key, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("stream option '" + key + "' must be " + rule);
    }
  }

  /** Streams per connection; 0 = the venue's limit. */
  public StreamClientOptions setMaxStreamsPerConnection(int n) {
    this.maxStreamsPerConnection = n;
    return this;
  }

  /**
   * Messages per second this client sends on one connection (commands and pongs); 0 = the venue's
   * limit minus a margin (5 gives 4, 10 gives 8).
   */
  public StreamClientOptions setMaxMessagesPerSecond(int n) {
    this.maxMessagesPerSecond = n;
    return this;
  }

  /**
   * The window over which {@code maxMessagesPerSecond} is enforced, ms (default 1250: a margin over
   * the exchange's one second for network jitter that bunches messages up). Messages are also
   * spread: at least {@code rateWindowMs / maxMessagesPerSecond} apart.
   */
  public StreamClientOptions setRateWindowMs(long ms) {
    this.rateWindowMs = ms;
    return this;
  }

  public long getRateWindowMs() {
    return rateWindowMs;
  }

  /** Streams batched into one SUBSCRIBE/UNSUBSCRIBE. */
  public StreamClientOptions setMaxParamsPerCommand(int n) {
    this.maxParamsPerCommand = n;
    return this;
  }

  /** Streams put in the connect URL ({@code /stream?streams=a/b}); the rest are SUBSCRIBEd. */
  public StreamClientOptions setMaxStreamsInUrl(int n) {
    this.maxStreamsInUrl = n;
    return this;
  }

  public StreamClientOptions setReconnectBaseMs(long ms) {
    this.reconnectBaseMs = ms;
    return this;
  }

  public StreamClientOptions setReconnectMaxMs(long ms) {
    this.reconnectMaxMs = ms;
    return this;
  }

  /** A connection open this long resets the reconnect backoff. */
  public StreamClientOptions setStableAfterMs(long ms) {
    this.stableAfterMs = ms;
    return this;
  }

  /** Rotate a connection after this long; 0 = the venue lifetime minus 1 h (23 h for Binance). */
  public StreamClientOptions setRotateAfterMs(long ms) {
    this.rotateAfterMs = ms;
    return this;
  }

  /** Close (and reconnect) a connection that received nothing, not even a ping, this long; 0 = off. */
  public StreamClientOptions setReadIdleTimeoutMs(long ms) {
    this.readIdleTimeoutMs = ms;
    return this;
  }

  /**
   * A connection silent (nothing, not even a ping) longer than {@code max(silenceMinMs,
   * silenceFactor × its usual gap)}, at most {@code silenceMaxMs}, is suspected: its streams are
   * reported down ({@link StreamClient.Listener#onSilent}) until frames flow again. 0 = off.
   */
  public StreamClientOptions setSilenceMinMs(long ms) {
    this.silenceMinMs = ms;
    return this;
  }

  /** See {@link #setSilenceMinMs}: how many usual gaps of silence make a connection suspect. */
  public StreamClientOptions setSilenceFactor(double f) {
    this.silenceFactor = f;
    return this;
  }

  /**
   * Silence that always makes a connection suspect, ms; 0 = 1.5 × the venue's ping interval (30 s
   * spot, 270 s futures); never more than {@code readIdleTimeoutMs}.
   */
  public StreamClientOptions setSilenceMaxMs(long ms) {
    this.silenceMaxMs = ms;
    return this;
  }

  /**
   * A suspected connection silent this long is replaced make-before-break: a spare connection with
   * the same streams takes over once it is subscribed and has delivered, then the silent one is
   * closed. A spare that stays silent as long is dropped and retried with backoff. 0 = never.
   */
  public StreamClientOptions setReplaceAfterMs(long ms) {
    this.replaceAfterMs = ms;
    return this;
  }

  public long getSilenceMinMs() {
    return silenceMinMs;
  }

  public double getSilenceFactor() {
    return silenceFactor;
  }

  public long getSilenceMaxMs() {
    return silenceMaxMs;
  }

  public long getReplaceAfterMs() {
    return replaceAfterMs;
  }

  public StreamClientOptions setConnectTimeoutMs(long ms) {
    this.connectTimeoutMs = ms;
    return this;
  }

  public StreamClientOptions setMaxFrameSize(int n) {
    this.maxFrameSize = n;
    return this;
  }

  /** Largest message reassembled from continuation frames; larger ones are dropped and counted. */
  public StreamClientOptions setMaxMessageSize(int n) {
    this.maxMessageSize = n;
    return this;
  }

  public int getMaxStreamsPerConnection() {
    return maxStreamsPerConnection;
  }

  public int getMaxMessagesPerSecond() {
    return maxMessagesPerSecond;
  }

  public int getMaxParamsPerCommand() {
    return maxParamsPerCommand;
  }

  public int getMaxStreamsInUrl() {
    return maxStreamsInUrl;
  }

  public long getReconnectBaseMs() {
    return reconnectBaseMs;
  }

  public long getReconnectMaxMs() {
    return reconnectMaxMs;
  }

  public long getStableAfterMs() {
    return stableAfterMs;
  }

  public long getRotateAfterMs() {
    return rotateAfterMs;
  }

  public long getReadIdleTimeoutMs() {
    return readIdleTimeoutMs;
  }

  public long getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  public int getMaxFrameSize() {
    return maxFrameSize;
  }

  public int getMaxMessageSize() {
    return maxMessageSize;
  }
}
