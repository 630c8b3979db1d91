package klagg.service.cli;

import java.io.PrintStream;
import java.util.Locale;
import klagg.core.ReplayProgress;

/**
 * The replay's progress on a terminal: one line redrawn in place ({@code \r}) at most every 250 ms,
 * shown only once a run takes longer than {@code afterMs}, ended with a newline:
 * {@code klagg replay: 3/10 files, 12,345,678 trades, 9.87M trades/s, 31%, ETA 0:00:12}.
 */
public final class ProgressLine implements ReplayProgress {
  private final PrintStream out;
  private final long afterNs;
  private final long startNs = System.nanoTime();
  private long lastPrintNs = startNs;
  private boolean shown;
  private int width;

  public ProgressLine(PrintStream out, long afterMs) {
    this.out = out;
    this.afterNs = afterMs * 1_000_000L;
  }

  @Override
  public void update(int filesDone, int filesTotal, long trades, long bytesDone, long bytesTotal, boolean force) {
    long now = System.nanoTime();
    if (now - startNs < afterNs || (!force && now - lastPrintNs < 250_000_000L)) {
      return;
    }
    lastPrintNs = now;
    print(now, filesDone, filesTotal, trades, bytesDone, bytesTotal);
  }

  @Override
  public void end(int filesDone, int filesTotal, long trades, long bytesDone, long bytesTotal) {
    long now = System.nanoTime();
    if (!shown && now - startNs < afterNs) {
      return;
    }
    print(now, filesDone, filesTotal, trades, bytesDone, bytesTotal);
    out.print('\n');
    out.flush();
  }

  private void print(long now, int filesDone, int filesTotal, long trades, long bytesDone, long bytesTotal) {
    double secs = (now - startNs) / 1e9;
    double rate = secs > 0 ? trades / secs : 0;
    String eta;
    if (bytesDone > 0 && bytesTotal > bytesDone) {
      long s = (long) Math.ceil(secs * (bytesTotal - bytesDone) / bytesDone);
      eta = String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    } else {
      eta = bytesDone >= bytesTotal ? "0:00:00" : "?";
    }
    String line = String.format(Locale.ROOT, "klagg replay: %d/%d files, %,d trades, %.2fM trades/s, %d%%, ETA %s",
        filesDone, filesTotal, trades, rate / 1e6,
        bytesTotal > 0 ? Math.min(100, bytesDone * 100 / bytesTotal) : 100, eta);
    StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
    for (int i = line.length(); i < width; i++) {
      sb.append(' ');
    }
    width = line.length();
    out.print(sb);
    out.flush();
    shown = true;
  }
}
