package klagg.exchange;

/**
 * What a {@link StreamClient} works with: its {@link StreamClientOptions}, validated, with their
 * zeros ("take the venue's value") resolved against the limits of {@link ExchangeEndpoints}.
 *
 * @param streamsPerConnection streams on one connection: the option, capped at the venue's limit
 * @param msgsPerSecond send budget per connection: the option capped at the venue's limit, else the
 *     venue's limit minus a margin (4 of 5, 8 of 10)
 * @param rotateAfterMs a connection's age at rotation: the option, else the venue's lifetime minus an
 *     hour (at least half of it)
 * @param silenceMinMs the shortest silence judged as one (1 when silence detection is off)
 * @param silenceMaxMs the longest gap ever judged normal: the option, else the venue's ping period,
 *     capped at the read idle timeout
 */
record StreamSettings(int streamsPerConnection, int msgsPerSecond, long rotateAfterMs, long silenceMinMs,
    long silenceMaxMs) {

  /** @throws IllegalArgumentException naming the first invalid option */
  static StreamSettings of(ExchangeEndpoints endpoints, StreamClientOptions options) {
    options.validate();
    int streamsPerConnection = options.getMaxStreamsPerConnection() > 0
        ? Math.min(options.getMaxStreamsPerConnection(), endpoints.maxStreamsPerConnection())
        : endpoints.maxStreamsPerConnection();
    int venueRate = endpoints.maxIncomingMessagesPerSecond();
    int msgsPerSecond = options.getMaxMessagesPerSecond() > 0
        ? Math.min(options.getMaxMessagesPerSecond(), venueRate)
        : Math.max(1, venueRate - Math.max(1, venueRate / 5));
    long rotateAfterMs = options.getRotateAfterMs() > 0 ? options.getRotateAfterMs()
        : Math.max(endpoints.connectionLifetimeMs() / 2, endpoints.connectionLifetimeMs() - 3_600_000L);
    long pingBound = endpoints.venue() == ExchangeEndpoints.Venue.FUTURES ? 270_000 : 30_000;
    long maxSilence = options.getSilenceMaxMs() > 0 ? options.getSilenceMaxMs() : pingBound;
    if (options.getReadIdleTimeoutMs() > 0) {
      maxSilence = Math.min(maxSilence, options.getReadIdleTimeoutMs());
    }
    long silenceMinMs = options.getSilenceMinMs() > 0 ? options.getSilenceMinMs() : 1;
    return new StreamSettings(streamsPerConnection, msgsPerSecond, rotateAfterMs, silenceMinMs, Math.max(1, maxSilence));
  }
}
