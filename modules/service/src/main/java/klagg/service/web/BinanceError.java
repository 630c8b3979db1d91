package klagg.service.web;

import io.vertx.core.json.JsonObject;

/** A Binance-style error: HTTP status, {@code code} and {@code msg} as Binance prints them. */
final class BinanceError extends RuntimeException {
  final int status;
  final int code;

  BinanceError(int status, int code, String msg) {
    super(msg, null, false, false);
    this.status = status;
    this.code = code;
  }

  JsonObject json() {
    return new JsonObject().put("code", code).put("msg", getMessage());
  }

  static BinanceError invalidSymbol() {
    return new BinanceError(400, -1121, "Invalid symbol.");
  }

  static BinanceError invalidInterval() {
    return new BinanceError(400, -1120, "Invalid interval.");
  }

  static BinanceError mandatory(String param) {
    return new BinanceError(400, -1102,
        "Mandatory parameter '" + param + "' was not sent, was empty/null, or malformed.");
  }

  static BinanceError illegalChars(String param) {
    return new BinanceError(400, -1100,
        "Illegal characters found in parameter '" + param + "'; legal range is '^[0-9]{1,20}$'.");
  }

  static BinanceError badLimit() {
    return new BinanceError(400, -1130, "Data sent for paramter 'limit' is not valid.");
  }

  static BinanceError startAfterEnd() {
    return new BinanceError(400, -1023, "Start time is greater than end time.");
  }

  static BinanceError timeout() {
    return new BinanceError(503, -1007,
        "Timeout waiting for response from backend server. Send status unknown; execution status unknown.");
  }

  static BinanceError internal() {
    return new BinanceError(500, -1001, "Internal error; unable to process your request. Please try again.");
  }
}
