package klagg.core;

/**
 * The offset of the exchange's clock from ours, from round-trip samples ({@code sent} and
 * {@code received} on our clock, {@code serverTime} stamped by the exchange in between): the sample
 * with the shortest round trip wins, because its midpoint brackets the server's stamp tightest (NTP's
 * clock filter). A single sample is off by up to half its round trip, and a busy exchange (or a busy
 * simulator) answers some requests only after queueing them, which skews that sample one way.
 */
public final class ClockOffset {
  private long bestRoundTrip = Long.MAX_VALUE;
  private long offset;
  private int samples;

  /** Adds one sample; returns false (and ignores it) when {@code received < sent}. */
  public boolean add(long sent, long serverTime, long received) {
    long rtt = received - sent;
    if (rtt < 0) {
      return false;
    }
    samples++;
    if (rtt < bestRoundTrip) {
      bestRoundTrip = rtt;
      offset = serverTime - (sent + rtt / 2);
    }
    return true;
  }

  public int samples() {
    return samples;
  }

  /** Server time minus local time, from the fastest sample; 0 before any sample. */
  public long offset() {
    return offset;
  }

  /** The fastest sample's round trip (ms); the offset is exact to within half of it. */
  public long roundTrip() {
    return samples == 0 ? -1 : bestRoundTrip;
  }
}
