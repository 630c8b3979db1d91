package klagg.exchange;

/**
 * One {@code /time} measurement: the server's clock and the local clock when the request left and
 * when the answer came back (all epoch ms), so a clock can correct for the round trip.
 */
public record TimeSample(long serverTime, long localSend, long localReceive) {
  /** Round trip, ms. */
  public long roundTrip() {
    return localReceive - localSend;
  }

  /** Estimated {@code serverClock - localClock}, assuming a symmetric path. */
  public long offset() {
    return serverTime - (localSend + localReceive) / 2;
  }
}
