package klagg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench's own sub-commands: generated help, one-line usage errors with exit 2. */
class BenchMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void e2eHelpPrintsItsOptions() {
    assertThat(run("e2e", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: klagg-bench e2e", "--duration=S",
        "--json=FILE", "--rate=N|max|all|startup|restart|none", "--symbols=N", "--db=URL", "--track=N",
        "--warmup=S", "--runs=N", "--sim-process", "--max-lag-ms=MS", "--no-baseline");
  }

  @Test
  void otherCommandsPrintHelp() {
    assertThat(run("replay-vs-duckdb", "-h")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: klagg-bench replay-vs-duckdb", "--rows=N",
        "--file=F", "--runs=K", "--threads=T", "--klagg-jar=PATH");
    assertThat(run("gen-aggtrades", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("FILE", "ROWS", "SEED");
  }

  private void usageError(String prefix, String what, String... args) {
    assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(prefix + ": ").contains(what).hasLineCount(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void badCommandLinesAreOneLineAndExit2() {
    usageError("klagg-bench e2e", "unknown option --bogus", "e2e", "--bogus");
    usageError("klagg-bench e2e", "'--duration'", "e2e", "--duration", "soon");
    usageError("klagg-bench e2e", "'--json'", "e2e", "--json");
    usageError("klagg-bench replay-vs-duckdb", "--rows", "replay-vs-duckdb", "--rows", "many");
    usageError("klagg-bench replay-vs-duckdb", "'--runs'", "replay-vs-duckdb", "--runs", "1.5");
    usageError("klagg-bench gen-aggtrades", "FILE", "gen-aggtrades");
  }
}
