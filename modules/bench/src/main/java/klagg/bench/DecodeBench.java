package klagg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import klagg.core.AggTrade;
import klagg.core.AggTradeDecoder;
import klagg.core.SymbolIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode throughput of {@link AggTradeDecoder}, one op = one aggTrade frame: the real spot capture's
 * aggTrade frames (combined stream) from the repository's {@code testdata/binance/}, or generated frames
 * of the same shape if the file is not found (run it from the repository). {@code fast} is what
 * production runs ({@code decode}: the layout scanner); {@code general} forces the jackson-core path
 * for comparison.
 *
 * <p>{@code java -jar modules/bench/target/klagg-bench.jar DecodeBench -f 1 -wi 2 -i 3 -w 2s -r 2s}
 * (add {@code -prof gc} for allocation), from the repository's root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBench {
  static final int FRAMES = 1024;
  static final String CAPTURE = "binance/spot-BTC-ETH-DOT-2021-04-04T2003.ws.jsonl";
  static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "DOTUSDT"};

  private byte[][] frames;
  private AggTradeDecoder decoder;
  private final AggTrade out = new AggTrade();
  /** Frames given to the decoder in this iteration, and those it decoded as trades. */
  private long framesFed;
  private long decodedTrades;

  @Setup
  public void setup() throws IOException {
    SymbolIndex symbols = new SymbolIndex(16);
    for (String s : SYMBOLS) {
      symbols.add(s);
    }
    decoder = new AggTradeDecoder(symbols, System::currentTimeMillis);
    List<byte[]> loaded = load();
    String source = loaded.isEmpty() ? "generated" : "capture (" + loaded.size() + " aggTrades)";
    if (loaded.isEmpty()) {
      loaded = generate();
    }
    frames = new byte[FRAMES][];
    for (int i = 0; i < FRAMES; i++) {
      frames[i] = loaded.get(i % loaded.size());
    }
    for (byte[] f : frames) {
      if (decoder.decode(f, 0, f.length, out) != AggTradeDecoder.Result.TRADE) {
        throw new IllegalStateException("not a trade: " + new String(f, StandardCharsets.UTF_8));
      }
    }
    System.out.println("DecodeBench frames: " + source);
  }

  private static List<byte[]> load() throws IOException {
    // the repository's testdata/, found from the working directory (the repository or one of its modules)
    List<Path> candidates = new ArrayList<>();
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      candidates.add(d.resolve("testdata"));
    }
    List<byte[]> out = new ArrayList<>();
    for (Path c : candidates) {
      Path file = c.resolve(CAPTURE);
      if (Files.isRegularFile(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (line.contains("@aggTrade\"")) {
            out.add(line.getBytes(StandardCharsets.UTF_8));
          }
        }
        break;
      }
    }
    return out;
  }

  /** ~200 realistic combined-stream spot frames. */
  private static List<byte[]> generate() {
    Random rnd = new Random(1);
    List<byte[]> out = new ArrayList<>();
    long a = 665_076_760L;
    long f = 745_522_877L;
    long t = 1_617_566_591_314L;
    for (int i = 0; i < 200; i++) {
      String sym = SYMBOLS[i % SYMBOLS.length];
      long l = f + (rnd.nextInt(5) == 0 ? rnd.nextInt(5) : 0);
      t += rnd.nextInt(40);
      String frame = "{\"stream\":\"" + sym.toLowerCase() + "@aggTrade\",\"data\":{\"e\":\"aggTrade\","
          + "\"E\":" + (t + 1) + ",\"s\":\"" + sym + "\",\"a\":" + (a++) + ",\"p\":\""
          + String.format("%d.%02d000000", 58000 + rnd.nextInt(10), rnd.nextInt(100))
          + "\",\"q\":\"" + String.format("0.%06d00", rnd.nextInt(1_000_000))
          + "\",\"f\":" + f + ",\"l\":" + l + ",\"T\":" + t + ",\"m\":" + rnd.nextBoolean()
          + ",\"M\":true}}";
      f = l + 1;
      out.add(frame.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Every frame fed decoded as a trade, or the run fails. */
  @TearDown(Level.Iteration)
  public void allDecoded() {
    BenchChecks.allDecoded("DecodeBench", decodedTrades, framesFed);
    framesFed = 0;
    decodedTrades = 0;
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public long fast() {
    long sum = 0;
    AggTrade o = out;
    long ok = 0;
    for (byte[] f : frames) {
      if (decoder.decode(f, 0, f.length, o) == AggTradeDecoder.Result.TRADE) {
        ok++;
      }
      sum += o.price + o.qty;
    }
    framesFed += FRAMES;
    decodedTrades += ok;
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public long general() {
    long sum = 0;
    AggTrade o = out;
    long ok = 0;
    for (byte[] f : frames) {
      if (decoder.decodeGeneral(f, 0, f.length, o) == AggTradeDecoder.Result.TRADE) {
        ok++;
      }
      sum += o.price + o.qty;
    }
    framesFed += FRAMES;
    decodedTrades += ok;
    return sum;
  }
}
