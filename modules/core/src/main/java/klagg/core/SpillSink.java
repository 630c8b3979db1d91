package klagg.core;

/**
 * Receives a symbol whose dropped overflow klines must be rebuilt from {@code fromTime} on (no
 * boxing): what the book hands its owner when its overflow of unacknowledged klines hit its bound.
 */
@FunctionalInterface
public interface SpillSink {
  void accept(int symbol, long fromTime);
}
