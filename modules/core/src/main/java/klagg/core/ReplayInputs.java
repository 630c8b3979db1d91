package klagg.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What {@link ReplayRunner} replays, read off the files: each plain file or zip entry becomes a
 * {@link Source} with its format (aggTrades CSV or WebSocket JSONL), its symbol (given, or from a
 * data.binance.vision file name) and its time key (the date in the file name, else its first trade's
 * time), so that each symbol's files replay in time order.
 */
final class ReplayInputs {
  private static final Pattern VISION_NAME =
      Pattern.compile("^([A-Z0-9]+)-aggTrades-(\\d{4})-(\\d{2})(?:-(\\d{2}))?(?:\\.[A-Za-z]+)*$");
  private static final Pattern VISION_SYMBOL = Pattern.compile("^([A-Z0-9]+)-aggTrades-.*");

  private final long maxTimeMs;
  private String symbol;

  ReplayInputs(long maxTimeMs) {
    this.maxTimeMs = maxTimeMs;
  }

  void symbol(String s) {
    this.symbol = s == null ? null : s.toUpperCase(Locale.ROOT);
  }

  /** One readable stream of trades: a plain file or one zip entry. */
  static final class Source {
    final Path path;
    final String entry; // zip entry name, null for a plain file
    final String name; // for messages
    final int file;
    long size;
    boolean jsonl;
    String symbol;
    long key;

    Source(Path path, String entry, int file) {
      this.path = path;
      this.entry = entry;
      this.file = file;
      this.name = entry == null ? path.toString() : path + "!" + entry;
    }

    InputStream open() throws IOException {
      if (entry == null) {
        return Files.newInputStream(path);
      }
      ZipFile z = new ZipFile(path.toFile());
      ZipEntry e = z.getEntry(entry);
      InputStream in = z.getInputStream(e);
      return new java.io.FilterInputStream(in) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            z.close();
          }
        }
      };
    }
  }

  List<Source> plan(List<Path> files) throws IOException {
    List<Source> sources = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      Path path = files.get(f);
      if (Files.isDirectory(path)) {
        throw new ReplayRunner.InputException(path.toString(), "is a directory");
      }
      if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString());
      }
      String fileName = path.getFileName().toString();
      if (fileName.toLowerCase(Locale.ROOT).endsWith(".zip")) {
        List<Source> entries = new ArrayList<>();
        try (ZipFile z = new ZipFile(path.toFile())) {
          for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            if (e.isDirectory()) {
              continue;
            }
            Source s = new Source(path, e.getName(), f);
            s.size = e.getSize() >= 0 ? e.getSize() : Math.max(0, e.getCompressedSize());
            entries.add(s);
          }
        } catch (java.util.zip.ZipException e) {
          throw new ReplayRunner.InputException(path.toString(), "not a readable zip file (" + e.getMessage() + ")");
        }
        if (entries.isEmpty()) {
          throw new ReplayRunner.InputException(path.toString(), "zip file has no entries");
        }
        for (Source s : entries) {
          String entryName = Paths.get(s.entry).getFileName().toString();
          if (inspect(s, entryName, fileName)) {
            sources.add(s);
          }
        }
      } else {
        Source s = new Source(path, null, f);
        s.size = Files.size(path);
        if (inspect(s, fileName, null)) {
          sources.add(s);
        }
      }
    }
    return sources;
  }

  /** Format, symbol and time key of a source from its first bytes; false if it holds nothing. */
  private boolean inspect(Source s, String name, String outerName) throws IOException {
    byte[] head = new byte[64 << 10];
    int n = 0;
    try (InputStream in = s.open()) {
      for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) {
        n += r;
      }
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new ReplayRunner.InputException(s.name, "cannot read: " + e.getMessage());
    }
    int i = 0;
    while (i < n && (head[i] == '\n' || head[i] == '\r' || head[i] == ' ')) {
      i++;
    }
    if (i == n) {
      return false; // empty: nothing to replay
    }
    byte first = head[i];
    if (first == '{') {
      s.jsonl = true;
      return true;
    }
    if (!((first >= '0' && first <= '9') || first == 'a')) {
      throw new ReplayRunner.InputException(s.name, "unknown format (expected aggTrades CSV or WebSocket JSONL)");
    }
    s.symbol = symbol != null ? symbol : symbolFrom(name, outerName);
    if (s.symbol == null) {
      throw new ReplayRunner.InputException(s.name,
          "CSV input has no symbol: pass --symbol (file name is not like BTCUSDT-aggTrades-YYYY-MM-DD.csv)");
    }
    long date = dateFrom(name);
    if (date < 0 && outerName != null) {
      date = dateFrom(outerName);
    }
    s.key = date >= 0 ? date : firstTradeTime(head, n);
    return true;
  }

  private static String symbolFrom(String name, String fallback) {
    Matcher m = VISION_SYMBOL.matcher(name);
    if (m.matches()) {
      return m.group(1);
    }
    if (fallback != null) {
      m = VISION_SYMBOL.matcher(fallback);
      if (m.matches()) {
        return m.group(1);
      }
    }
    return null;
  }

  /** UTC start of the day (or month) in a data.binance.vision file name, or -1. */
  static long dateFrom(String name) {
    Matcher m = VISION_NAME.matcher(name);
    if (!m.matches()) {
      return -1;
    }
    try {
      int day = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
      return LocalDate.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), day)
          .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    } catch (java.time.DateTimeException e) {
      return -1;
    }
  }

  private long firstTradeTime(byte[] head, int n) {
    int end = n;
    while (end > 0 && head[end - 1] != '\n') {
      end--;
    }
    byte[] b = java.util.Arrays.copyOf(head, end + AggTradeCsv.PAD);
    TradeBlock block = new TradeBlock(64);
    AggTradeCsv csv = new AggTradeCsv(64).maxTimeMs(maxTimeMs);
    int p = AggTradeCsv.skipHeader(b, 0, end);
    while (p < end && block.size == 0) {
      p = csv.parse(b, p, end, block);
    }
    return block.size > 0 ? block.time[0] : Long.MAX_VALUE;
  }

}
