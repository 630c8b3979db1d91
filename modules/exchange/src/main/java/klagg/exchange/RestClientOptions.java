package klagg.exchange;

import io.vertx.core.json.JsonObject;

/**
 * Tuning of {@link BinanceRestClient}. Mutable builder; the client copies what it needs at
 * construction. JSON keys equal the setter names without {@code set}.
 */
public final class RestClientOptions {
  private double weightBudgetFraction = 0.8;
  private int weightBudget = 0;
  private long weightWindowMs = 60_000;
  private int maxRetries = 4;
  private long backoffBaseMs = 250;
  private long backoffMaxMs = 8_000;
  private long requestTimeoutMs = 10_000;
  private long default429WaitMs = 0;
  private long default418BanMs = 120_000;
  private int maxPoolSize = 4;

  public RestClientOptions() {}

  public static RestClientOptions fromJson(JsonObject j) {
    RestClientOptions o = new RestClientOptions();
    if (j == null) {
      return o;
    }
    o.weightBudgetFraction = j.getDouble("weightBudgetFraction", o.weightBudgetFraction);
    o.weightBudget = j.getInteger("weightBudget", o.weightBudget);
    o.weightWindowMs = j.getLong("weightWindowMs", o.weightWindowMs);
    o.maxRetries = j.getInteger("maxRetries", o.maxRetries);
    o.backoffBaseMs = j.getLong("backoffBaseMs", o.backoffBaseMs);
    o.backoffMaxMs = j.getLong("backoffMaxMs", o.backoffMaxMs);
    o.requestTimeoutMs = j.getLong("requestTimeoutMs", o.requestTimeoutMs);
    o.default429WaitMs = j.getLong("default429WaitMs", o.default429WaitMs);
    o.default418BanMs = j.getLong("default418BanMs", o.default418BanMs);
    o.maxPoolSize = j.getInteger("maxPoolSize", o.maxPoolSize);
    o.validate();
    return o;
  }

  void validate() {
    if (weightBudgetFraction <= 0 || weightBudgetFraction > 1) {
      throw new IllegalArgumentException("rest option 'weightBudgetFraction' must be in (0, 1]");
    }
    if (weightBudget < 0) {
      throw new IllegalArgumentException("rest option 'weightBudget' must be >= 0");
    }
    if (weightWindowMs <= 0) {
      throw new IllegalArgumentException("rest option 'weightWindowMs' must be > 0");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("rest option 'maxRetries' must be >= 0");
    }
    if (backoffBaseMs <= 0 || backoffMaxMs < backoffBaseMs) {
      throw new IllegalArgumentException("rest options 'backoffBaseMs'/'backoffMaxMs' must satisfy 0 < base <= max");
    }
    if (requestTimeoutMs <= 0) {
      throw new IllegalArgumentException("rest option 'requestTimeoutMs' must be > 0");
    }
    if (maxPoolSize <= 0) {
      throw new IllegalArgumentException("rest option 'maxPoolSize' must be > 0");
    }
  }

  /** Share of the venue's weight limit the client allows itself per window (default 0.8). */
  public RestClientOptions setWeightBudgetFraction(double f) {
    this.weightBudgetFraction = f;
    return this;
  }

  /** Absolute weight budget per window; overrides the fraction when > 0. */
  public RestClientOptions setWeightBudget(int w) {
    this.weightBudget = w;
    return this;
  }

  /** Length of the weight window, ms (Binance: one minute; shorter in tests). */
  public RestClientOptions setWeightWindowMs(long ms) {
    this.weightWindowMs = ms;
    return this;
  }

  /** Retries of one request after 429, 5xx or a transport error. */
  public RestClientOptions setMaxRetries(int n) {
    this.maxRetries = n;
    return this;
  }

  public RestClientOptions setBackoffBaseMs(long ms) {
    this.backoffBaseMs = ms;
    return this;
  }

  public RestClientOptions setBackoffMaxMs(long ms) {
    this.backoffMaxMs = ms;
    return this;
  }

  public RestClientOptions setRequestTimeoutMs(long ms) {
    this.requestTimeoutMs = ms;
    return this;
  }

  /** Pause after a 429 without Retry-After; 0 means "until the next weight window". */
  public RestClientOptions setDefault429WaitMs(long ms) {
    this.default429WaitMs = ms;
    return this;
  }

  /** Ban length assumed after a 418 without Retry-After. */
  public RestClientOptions setDefault418BanMs(long ms) {
    this.default418BanMs = ms;
    return this;
  }

  public RestClientOptions setMaxPoolSize(int n) {
    this.maxPoolSize = n;
    return this;
  }

  public double getWeightBudgetFraction() {
    return weightBudgetFraction;
  }

  public int getWeightBudget() {
    return weightBudget;
  }

  public long getWeightWindowMs() {
    return weightWindowMs;
  }

  public int getMaxRetries() {
    return maxRetries;
  }

  public long getBackoffBaseMs() {
    return backoffBaseMs;
  }

  public long getBackoffMaxMs() {
    return backoffMaxMs;
  }

  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public long getDefault429WaitMs() {
    return default429WaitMs;
  }

  public long getDefault418BanMs() {
    return default418BanMs;
  }

  public int getMaxPoolSize() {
    return maxPoolSize;
  }
}
