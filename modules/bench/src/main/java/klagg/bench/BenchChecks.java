package klagg.bench;

import klagg.core.KlineBook;

/**
 * What a JMH bench asserts at tear-down: every trade it fed was applied, so a faster score can never
 * come from trades the book dropped (duplicates, late drops, unknown symbols, bad scales).
 */
final class BenchChecks {
  private BenchChecks() {}

  /** Throws unless {@code book} applied exactly {@code expected} trades and dropped none. */
  static void allApplied(String bench, KlineBook book, long expected) {
    if (book.applied() != expected || book.duplicates() != 0 || book.lateDropped() != 0) {
      throw new IllegalStateException(bench + ": " + expected + " trades fed, " + book.applied() + " applied ("
          + book.duplicates() + " duplicates, " + book.lateDropped() + " late dropped)");
    }
  }

  /** Throws unless {@code decoded} of {@code expected} frames decoded as trades. */
  static void allDecoded(String bench, long decoded, long expected) {
    if (decoded != expected) {
      throw new IllegalStateException(bench + ": " + expected + " frames fed, " + decoded + " decoded as trades");
    }
  }
}
