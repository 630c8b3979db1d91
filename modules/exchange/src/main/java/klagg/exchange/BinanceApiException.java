package klagg.exchange;

/**
 * A REST call that Binance (or the transport) refused: HTTP status, Binance error code and message
 * ({@code {"code":-1121,"msg":"Invalid symbol."}}). {@code code} is 0 when the body carried none.
 */
public class BinanceApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final int code;
  private final String msg;

  public BinanceApiException(int httpStatus, int code, String msg) {
    super("HTTP " + httpStatus + (code != 0 ? " code " + code : "") + ": " + msg);
    this.httpStatus = httpStatus;
    this.code = code;
    this.msg = msg;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Binance error code, e.g. -1121; 0 if none. */
  public int code() {
    return code;
  }

  public String msg() {
    return msg;
  }
}
