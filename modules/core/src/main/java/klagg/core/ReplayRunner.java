package klagg.core;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays many recorded trade files into exact klines, fast: the engine behind {@code klagg replay}.
 *
 * <p>Inputs are aggTrades CSV files (data.binance.vision layout), the same zipped (read in place),
 * and WebSocket captures (JSONL). CSV input is grouped by symbol, each symbol with its own
 * {@link KlineBook}, and each symbol's files are replayed in time order: by the date in a
 * data.binance.vision file name, else by the file's first trade time (ties keep the command-line
 * order). JSONL files are replayed in the order given into one book of their own.
 *
 * <p>With more than one thread, parser threads cut plain CSV files into line-aligned chunks (zip
 * entries stay whole: they inflate sequentially) and parse them into reusable {@link TradeBlock}s,
 * while the calling thread applies the blocks unit by unit, in order, so the result is exactly
 * that of one thread reading the files one after the other. Each unit has its own bounded queue:
 * a parser running ahead waits only for its own unit, never for a block another unit holds.
 */
public final class ReplayRunner {
  /** A file klagg cannot use: {@link #getMessage} is one line for the user, naming the file. */
  public static final class InputException extends IOException {
    public InputException(String file, String message) {
      super(file + ": " + message);
    }
  }

  private static final TradeBlock END = new TradeBlock(1);


  private final List<Interval> intervals;
  private final long graceMs;
  private final long maxTimeMs;
  private final ReplayInputs inputs;
  private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
  private int chunkBytes = 4 << 20;
  private int piece = 1 << 20;
  private int blockRows = 4096;
  private int queueBlocks = 24;
  private ReplayProgress progress;

  private final List<Replay> replays = new ArrayList<>();
  private long trades;
  private long bytesTotal;
  private long bytesDone;
  private int filesTotal;
  private int filesDone;
  private long startNs;

  public ReplayRunner(List<Interval> intervals, long graceMs, long maxTimeMs) {
    this.intervals = intervals;
    this.graceMs = graceMs;
    this.maxTimeMs = maxTimeMs;
    this.inputs = new ReplayInputs(maxTimeMs);
  }

  /** The symbol of all CSV input (else taken from data.binance.vision file names). */
  public ReplayRunner symbol(String s) {
    inputs.symbol(s);
    return this;
  }

  /** Threads for parsing (1: read, parse and aggregate on the calling thread only). */
  public ReplayRunner threads(int n) {
    this.threads = Math.max(1, n);
    return this;
  }

  /** Size of the pieces plain CSV files are cut into for parallel parsing. */
  public ReplayRunner chunkBytes(int n) {
    this.chunkBytes = Math.max(1 << 10, n);
    return this;
  }

  /** Bytes read at a time from a plain file (tests make it small). */
  ReplayRunner pieceBytes(int n) {
    this.piece = Math.max(64, n);
    return this;
  }

  /** Rows per block handed from a parser to the aggregating thread. */
  public ReplayRunner blockRows(int n) {
    this.blockRows = Math.max(16, n);
    return this;
  }

  /** Told how far the run is after every block of trades and at its end (the CLI draws a progress line). */
  public ReplayRunner progress(ReplayProgress p) {
    this.progress = p;
    return this;
  }

  /** The replays of the last run: one per CSV symbol, then one for all JSONL input if any. */
  public List<Replay> replays() {
    return replays;
  }

  /** A unit of parsing work: a whole source, or a byte range of a plain CSV file. */
  private static final class Unit {
    final ReplayInputs.Source src;
    final long start;
    final long end; // -1: the whole stream
    final ArrayBlockingQueue<TradeBlock> queue;
    volatile Throwable error;

    Unit(ReplayInputs.Source src, long start, long end, int queueBlocks) {
      this.src = src;
      this.start = start;
      this.end = end;
      this.queue = new ArrayBlockingQueue<>(queueBlocks + 1);
    }
  }

  // ---------------------------------------------------------------- run

  /** Replays {@code files} and writes the klines as CSV to {@code out}; returns the rows written. */
  public long run(List<Path> files, Writer out) throws IOException {
    replay(files);
    return Replay.writeCsv(out, replays);
  }

  /** Replays {@code files}; the result is in {@link #replays}. */
  public void replay(List<Path> files) throws IOException {
    replays.clear();
    trades = 0;
    bytesDone = 0;
    filesDone = 0;
    startNs = System.nanoTime();
    List<ReplayInputs.Source> sources = inputs.plan(files);
    filesTotal = files.size();
    bytesTotal = 0;
    int[] unitsLeft = new int[files.size()];
    TreeMap<String, List<ReplayInputs.Source>> bySymbol = new TreeMap<>();
    List<ReplayInputs.Source> jsonl = new ArrayList<>();
    for (ReplayInputs.Source s : sources) {
      bytesTotal += s.size;
      if (s.jsonl) {
        jsonl.add(s);
        unitsLeft[s.file]++;
      } else {
        bySymbol.computeIfAbsent(s.symbol, k -> new ArrayList<>()).add(s);
      }
    }
    List<Unit> units = new ArrayList<>();
    for (List<ReplayInputs.Source> list : bySymbol.values()) {
      list.sort(Comparator.comparingLong(s -> s.key)); // stable: ties keep the command-line order
      for (ReplayInputs.Source s : list) {
        if (s.entry == null && threads > 1 && s.size > chunkBytes) {
          for (long st = 0; st < s.size; st += chunkBytes) {
            units.add(new Unit(s, st, Math.min(s.size, st + chunkBytes), queueBlocks));
            unitsLeft[s.file]++;
          }
        } else {
          units.add(new Unit(s, 0, -1, queueBlocks));
          unitsLeft[s.file]++;
        }
      }
    }
    for (int f = 0; f < unitsLeft.length; f++) {
      if (unitsLeft[f] == 0) {
        filesDone++; // empty files
      }
    }
    Map<String, Replay> bookOf = new TreeMap<>();
    for (String sym : bySymbol.keySet()) {
      Replay r = new Replay(intervals, graceMs, maxTimeMs);
      r.symbol(sym);
      bookOf.put(sym, r);
      replays.add(r);
    }
    if (!jsonl.isEmpty()) {
      Replay r = new Replay(intervals, graceMs, maxTimeMs);
      for (ReplayInputs.Source s : jsonl) {
        try (InputStream in = new BufferedInputStream(s.open(), 1 << 16)) {
          long before = r.read();
          JsonlInput.read(r, in);
          trades += r.read() - before;
        }
        bytesDone += s.size;
        if (--unitsLeft[s.file] == 0) {
          filesDone++;
        }
        tick(true);
      }
      for (int id = 0; id < r.symbols().idLimit(); id++) {
        String name = r.symbols().name(id);
        if (name != null && bookOf.containsKey(name)) {
          throw new InputException(name, "symbol is in both CSV and JSONL input: replay them separately");
        }
      }
      replays.add(r);
    }
    if (threads <= 1) {
      runSequential(units, bookOf, unitsLeft);
    } else {
      runParallel(units, bookOf, unitsLeft);
    }
    if (progress != null) {
      progress.end(filesDone, filesTotal, trades, bytesDone, bytesTotal);
    }
  }

  private void applied(Unit u, int[] unitsLeft) {
    if (--unitsLeft[u.src.file] == 0) {
      filesDone++;
    }
  }

  private void runSequential(List<Unit> units, Map<String, Replay> bookOf, int[] unitsLeft) throws IOException {
    AggTradeCsv csv = new AggTradeCsv(4 << 20).maxTimeMs(maxTimeMs);
    TradeBlock block = new TradeBlock(blockRows);
    for (Unit u : units) {
      Replay r = bookOf.get(u.src.symbol);
      try (InputStream in = u.src.open()) {
        csv.read(in, block, b -> {
          r.apply(b, 0);
          trades += b.size + b.rejected;
          bytesDone += b.bytes;
          tick(false);
          return b.clear();
        });
      } catch (IOException e) {
        if (e instanceof InputException || e instanceof java.io.InterruptedIOException) {
          throw e;
        }
        throw new InputException(u.src.name, "cannot read: " + e.getMessage());
      }
      applied(u, unitsLeft);
    }
  }

  private void runParallel(List<Unit> units, Map<String, Replay> bookOf, int[] unitsLeft) throws IOException {
    ConcurrentLinkedDeque<TradeBlock> free = new ConcurrentLinkedDeque<>();
    ConcurrentLinkedDeque<TradeBlock> rawFree = new ConcurrentLinkedDeque<>();
    AggTradeCsv csv = new AggTradeCsv(64).maxTimeMs(maxTimeMs);
    TradeBlock parsed = new TradeBlock(blockRows);
    AtomicInteger next = new AtomicInteger();
    int n = Math.min(threads, Math.max(1, units.size()));
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      Thread w = new Thread(() -> parseUnits(units, next, free, rawFree), "klagg-replay-parser-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    try {
      for (Unit u : units) {
        Replay r = bookOf.get(u.src.symbol);
        while (true) {
          TradeBlock b = u.queue.take();
          if (b == END) {
            break;
          }
          if (b.raw != null) {
            // inflated lines: parsed here, while the inflating thread goes on
            byte[] raw = b.raw;
            int end = b.rawLen;
            int p = b.rawFirst ? AggTradeCsv.skipHeader(raw, 0, end) : 0;
            while (p < end) {
              p = csv.parse(raw, p, end, parsed);
              if (parsed.full() || p >= end) {
                r.apply(parsed, 0);
                trades += parsed.size + parsed.rejected;
                parsed.clear();
              }
            }
            bytesDone += end;
            rawFree.push(b.clear());
          } else {
            r.apply(b, 0);
            trades += b.size + b.rejected;
            bytesDone += b.bytes;
            free.push(b.clear());
          }
          tick(false);
        }
        Throwable e = u.error;
        if (e != null) {
          if (e instanceof InputException || e instanceof java.io.InterruptedIOException) {
            throw (IOException) e;
          }
          if (e instanceof IOException) {
            throw new InputException(u.src.name, "cannot read: " + e.getMessage());
          }
          if (e instanceof RuntimeException) {
            throw (RuntimeException) e;
          }
          if (e instanceof Error) {
            throw (Error) e;
          }
          throw new IOException(e);
        }
        applied(u, unitsLeft);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("replay interrupted");
    } finally {
      next.set(units.size()); // no new units
      for (Thread w : workers) {
        w.interrupt();
      }
    }
  }

  /** A parser thread: takes units in order and parses each into its own queue. */
  private void parseUnits(List<Unit> units, AtomicInteger next, ConcurrentLinkedDeque<TradeBlock> free,
      ConcurrentLinkedDeque<TradeBlock> rawFree) {
    AggTradeCsv csv = new AggTradeCsv(4 << 20).maxTimeMs(maxTimeMs);
    byte[][] buf = {new byte[0]};
    for (int k; (k = next.getAndIncrement()) < units.size(); ) {
      Unit u = units.get(k);
      try {
        if (u.end < 0 && u.src.entry != null) {
          inflate(u, rawFree);
        } else if (u.end < 0) {
          TradeBlock first = take(free);
          try (InputStream in = u.src.open()) {
            csv.read(in, first, b -> {
              if (b.size > 0 || b.rejected > 0 || b.bytes > 0) {
                put(u, b);
                return take(free);
              }
              return b;
            });
          }
        } else {
          parseRange(u, csv, buf, free);
        }
      } catch (java.io.InterruptedIOException e) {
        return;
      } catch (Throwable e) {
        u.error = e;
      }
      try {
        u.queue.put(END);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * A zip entry: inflates it into pieces of whole lines for the aggregating thread to parse, so
   * inflating (here) and parsing (there) run on two cores.
   */
  private void inflate(Unit u, ConcurrentLinkedDeque<TradeBlock> rawFree) throws IOException {
    boolean first = true;
    byte[] carry = new byte[0];
    int carryLen = 0;
    try (InputStream in = u.src.open()) {
      boolean eof = false;
      while (!eof) {
        TradeBlock rb = rawFree.poll();
        if (rb == null) {
          rb = new TradeBlock(1);
          rb.raw = new byte[piece + AggTradeCsv.PAD + 1];
        }
        if (rb.raw.length < carryLen * 2 + AggTradeCsv.PAD + 1) {
          rb.raw = new byte[carryLen * 2 + AggTradeCsv.PAD + 1]; // a line longer than a piece
        }
        byte[] b = rb.raw;
        System.arraycopy(carry, 0, b, 0, carryLen);
        int len = carryLen;
        int cap = b.length - AggTradeCsv.PAD - 1;
        while (len < cap) {
          int n = in.read(b, len, cap - len);
          if (n < 0) {
            eof = true;
            break;
          }
          len += n;
        }
        int end = len;
        if (eof) {
          if (len > 0 && b[len - 1] != '\n') {
            b[len] = '\n';
            end = len + 1;
          }
          carryLen = 0;
        } else {
          while (end > 0 && b[end - 1] != '\n') {
            end--;
          }
          carryLen = len - end;
          if (carry.length < carryLen) {
            carry = new byte[Math.max(carryLen, 4096)];
          }
          System.arraycopy(b, end, carry, 0, carryLen);
        }
        rb.rawLen = end;
        rb.rawFirst = first;
        if (end > 0) {
          first = false;
          put(u, rb);
        } else {
          rawFree.push(rb);
        }
      }
    }
  }

  private TradeBlock take(ConcurrentLinkedDeque<TradeBlock> free) {
    TradeBlock b = free.poll();
    return b != null ? b : new TradeBlock(blockRows);
  }

  private static void put(Unit u, TradeBlock b) throws java.io.InterruptedIOException {
    try {
      u.queue.put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException();
    }
  }

  /**
   * Parses the lines of a plain file that start in {@code [u.start, u.end)}: from the first line
   * start at or after {@code u.start} through the line that holds byte {@code u.end - 1}. The range
   * is read in pieces of {@code piece} bytes (1 MiB), so what the kernel copied is still in cache when it
   * is parsed.
   */
  private void parseRange(Unit u, AggTradeCsv csv, byte[][] bufRef, ConcurrentLinkedDeque<TradeBlock> free)
      throws IOException {
    long size = u.src.size;
    byte[] b = bufRef[0];
    if (b.length < piece + AggTradeCsv.PAD + 1) {
      b = bufRef[0] = new byte[piece + AggTradeCsv.PAD + 1];
    }
    TradeBlock block = take(free);
    try (FileChannel ch = FileChannel.open(u.src.path, StandardOpenOption.READ)) {
      long base = Math.max(0, u.start - 1); // file offset of b[0]
      int len = readFully(ch, b, 0, (int) Math.min(piece, size - base), base);
      int p = 0;
      if (u.start > 0) {
        // skip to the first line start at or after u.start
        while (true) {
          while (p < len && b[p] != '\n') {
            p++;
          }
          if (p < len || base + len >= size) {
            break;
          }
          base += len; // a long line: keep looking
          p = 0;
          len = readFully(ch, b, 0, (int) Math.min(piece, size - base), base);
        }
        p++;
        if (base + p >= u.end || base + p > size) {
          return; // no line starts in this range
        }
      } else {
        p = AggTradeCsv.skipHeader(b, 0, len);
        block.bytes += p;
      }
      while (true) {
        int stop;
        boolean last = false;
        long endRel = u.end - 1 - base; // index of byte u.end - 1 in b
        boolean eof = base + len >= size;
        int j;
        if (endRel < len) {
          j = (int) Math.max(endRel, p);
          while (j < len && b[j] != '\n') {
            j++;
          }
        } else {
          j = len;
        }
        if (j < len) {
          stop = j + 1;
          last = true;
        } else if (eof) {
          stop = len;
          if (len > p && b[len - 1] != '\n') {
            b[len] = '\n'; // the file's last line has no newline: PAD has room
            stop = len + 1;
          }
          last = true;
        } else {
          stop = len;
          while (stop > p && b[stop - 1] != '\n') {
            stop--;
          }
        }
        while (p < stop) {
          int q = csv.parse(b, p, stop, block);
          block.bytes += q - p;
          p = q;
          if (block.full()) {
            put(u, block);
            block = take(free);
          }
        }
        if (last) {
          break;
        }
        // keep the partial line, read the next piece after it
        int carry = len - stop;
        if (carry == b.length - AggTradeCsv.PAD - 1) {
          b = bufRef[0] = java.util.Arrays.copyOf(b, b.length * 2); // a line longer than the buffer
        }
        System.arraycopy(b, stop, b, 0, carry);
        base += stop;
        p = 0;
        int room = b.length - AggTradeCsv.PAD - 1 - carry;
        len = carry + readFully(ch, b, carry, (int) Math.min(room, size - base - carry), base + carry);
      }
    } finally {
      if (block.size > 0 || block.rejected > 0 || block.bytes > 0) {
        put(u, block);
      }
    }
  }

  private static int readFully(FileChannel ch, byte[] b, int off, int len, long pos) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(b, off, len);
    int total = 0;
    while (bb.hasRemaining()) {
      int r = ch.read(bb, pos + total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  // ---------------------------------------------------------------- progress

  private void tick(boolean force) {
    if (progress != null) {
      progress.update(filesDone, filesTotal, trades, bytesDone, bytesTotal, force);
    }
  }

  /** Trades (rows) read in the last run. */
  public long trades() {
    return trades;
  }

  /** Seconds since the last run started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNs) / 1e9;
  }
}
