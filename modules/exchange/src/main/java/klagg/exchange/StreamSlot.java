package klagg.exchange;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One logical connection of a {@link StreamClient}: a group of at most the per-connection limit of
 * streams, and the connections that carry it — the current one, a retiring one during a rotation, a
 * spare replacing a silent one — with its reconnect and replacement backoff.
 */
final class StreamSlot {
  final LinkedHashSet<String> streams = new LinkedHashSet<>();
  StreamLink current;
  StreamLink retiring;
  /** a replacement for a silent {@link #current}, not yet proven alive (at most one) */
  StreamLink spare;
  int spareAttempts;
  long nextSpareAt;
  /** the rhythm of the last connection of these streams, for the next one */
  SilenceJudge lastJudge;
  int attempts;
  long retryTimer = -1;
  boolean removed;

  /** A listener's own copy of the streams. */
  Set<String> streamsCopy() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(streams));
  }

  /** Pauses reading on each of its connections ({@link StreamLink#pause}). */
  void pauseLinks() {
    for (StreamLink l : new StreamLink[] {current, retiring, spare}) {
      if (l != null) {
        l.pause();
      }
    }
  }

  /** Resumes reading on each of its connections ({@link StreamLink#resume}). */
  void resumeLinks() {
    for (StreamLink l : new StreamLink[] {current, retiring, spare}) {
      if (l != null) {
        l.resume();
      }
    }
  }
}
