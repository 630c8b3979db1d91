package klagg.exchange;

/**
 * The IP is banned (HTTP 418) until {@link #bannedUntil()}: the client sends nothing before then and
 * fails every request that is pending or made meanwhile with this exception.
 */
public final class IpBannedException extends BinanceApiException {
  private static final long serialVersionUID = 1L;

  private final long bannedUntil;

  public IpBannedException(int code, String msg, long bannedUntil) {
    super(418, code, msg + " (IP banned until epoch ms " + bannedUntil + ")");
    this.bannedUntil = bannedUntil;
  }

  /** Local epoch ms before which no request is sent. */
  public long bannedUntil() {
    return bannedUntil;
  }
}
