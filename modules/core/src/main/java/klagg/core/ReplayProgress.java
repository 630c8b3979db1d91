package klagg.core;

/**
 * How far a {@link ReplayRunner} run is, told after every block of trades (so cheaply: primitives only)
 * and once at its end. The command line draws its progress line from it.
 */
public interface ReplayProgress {
  /** After a block of trades; {@code force}: a whole file was just read (a good moment to show it). */
  void update(int filesDone, int filesTotal, long trades, long bytesDone, long bytesTotal, boolean force);

  /** The run is over (not called when it failed). */
  void end(int filesDone, int filesTotal, long trades, long bytesDone, long bytesTotal);
}
