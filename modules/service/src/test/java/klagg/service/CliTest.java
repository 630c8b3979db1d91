package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The picocli command lines of {@code klagg}: generated help, one-line usage errors, exit codes. */
class CliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void topLevelHelpListsTheCommands() {
    for (String h : new String[] {"--help", "-h", "help"}) {
      assertThat(run(h)).isZero();
      assertThat(stdout()).contains("Usage: klagg", "run", "replay", "sim");
      assertThat(stderr()).isEmpty();
    }
  }

  @Test
  void runHelpPrintsItsOptions() {
    assertThat(run("run", "--help")).isZero();
    assertThat(stdout()).contains("Usage: klagg run", "-conf, --conf=FILE", "-cluster, --cluster",
        "-cluster-host, --cluster-host=HOST", "-cluster-config, --cluster-config=FILE", "--help");
    assertThat(run("--help")).isZero(); // a leading option without a command means run, except help
    assertThat(stdout()).contains("Usage: klagg [-h] [COMMAND]");
  }

  @Test
  void replayHelpPrintsItsOptions() {
    assertThat(run("replay", "-h")).isZero();
    assertThat(stdout()).contains("Usage: klagg replay", "--symbol=SYM", "--intervals=LIST", "--grace-ms=N",
        "--out=FILE", "--db=URL", "--db-schema=NAME", "--threads=N", "--quiet", "FILE|DIR|GLOB", "output columns:")
        .doesNotContain("--chunk-bytes", "--progress-after-ms");
  }

  @Test
  void simHelpPrintsItsOptions() {
    assertThat(run("sim", "--help")).isZero();
    assertThat(stdout()).contains("Usage: klagg sim", "--host=H", "--port=P", "--symbols=N", "--rate=R", "--seed=S",
        "--history-start=T", "--replay=FILE", "--speed=1|10|max", "--original-times", "--firehose",
        "--firehose-rate=R", "--time-scale=X", "--time-offset=MS", "--listing-every=SEC", "--weight-limit=W",
        "--lifetime=SEC", "--ping-interval=SEC", "--faults=JSON");
  }

  private void usageError(String prefix, String option, String... args) {
    assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
    assertThat(stderr()).startsWith(prefix + ": ").contains(option).hasLineCount(1).doesNotContain("Exception");
    assertThat(stdout()).isEmpty();
  }

  @Test
  void unknownOptionsAreOneLineAndExit2() {
    usageError("klagg run", "unknown option --bogus", "run", "--bogus");
    usageError("klagg run", "unknown option -bogus", "-bogus");
    usageError("klagg replay", "unknown option --bogus", "replay", "--bogus=1", "x.csv");
    usageError("klagg sim", "unknown option --bogus", "sim", "--bogus", "1");
    usageError("klagg run", "unexpected argument 'extra'", "run", "extra");
    usageError("klagg", "unknown command 'nonsense'", "nonsense");
  }

  @Test
  void missingValuesAreOneLineAndExit2() {
    usageError("klagg run", "conf'", "run", "-conf");
    usageError("klagg run", "cluster-host'", "-cluster", "-cluster-host");
    usageError("klagg replay", "'--grace-ms'", "replay", "x.csv", "--grace-ms");
    usageError("klagg sim", "'--port'", "sim", "--port");
  }

  @Test
  void badNumbersAreOneLineAndExit2() {
    usageError("klagg replay", "'--grace-ms'", "replay", "--grace-ms", "soon", "x.csv");
    usageError("klagg replay", "--threads", "replay", "--threads", "0", "x.csv");
    usageError("klagg sim", "'--port'", "sim", "--port", "http");
    usageError("klagg sim", "--symbols", "sim", "--symbols", "9999");
    usageError("klagg sim", "'--speed'", "sim", "--speed", "fast");
  }

  @Test
  void runReadsTheSingleDashConfOption() throws Exception {
    java.nio.file.Path bad = java.nio.file.Files.createTempFile("klagg-cli", ".json");
    try {
      java.nio.file.Files.writeString(bad, "{\"nonsense\": 1}");
      for (String[] args : new String[][] {{"run", "-conf", bad.toString()}, {"-conf", bad.toString()},
          {"run", "--conf=" + bad}, {"-conf=" + bad}}) {
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(stderr()).startsWith("klagg run: unknown config key 'nonsense'").hasLineCount(1);
      }
    } finally {
      java.nio.file.Files.delete(bad);
    }
  }

  @Test
  void runRefusesRolesThatWouldReceiveNothing() throws Exception {
    java.nio.file.Path conf = java.nio.file.Files.createTempFile("klagg-cli", ".json");
    try {
      java.nio.file.Files.writeString(conf, "{\"roles\": [\"web\"]}");
      assertThat(run("run", "-conf", conf.toString())).isEqualTo(2);
      assertThat(stderr()).startsWith("klagg run: roles: web without gateway").hasLineCount(1);
      java.nio.file.Files.writeString(conf, "{\"roles\": [\"ingest\", \"workers\", \"persistence\"]}");
      assertThat(run("run", "-conf", conf.toString())).isEqualTo(2);
      assertThat(stderr()).startsWith("klagg run: roles: persistence needs the gateway role on the same node");
    } finally {
      java.nio.file.Files.delete(conf);
    }
  }

  @Test
  void runParsesComposesClusterCommandLine() {
    var cl = Main.commandLine(new PrintStream(out), new PrintStream(err));
    var parsed = cl.parseArgs("run", "-cluster", "-cluster-host", "klagg-main", "-cluster-config", "/x/cluster.xml",
        "-conf", "/x/main.json");
    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertThat(run.cluster).isTrue();
    assertThat(run.host).isEqualTo("klagg-main");
    assertThat(run.hzFile).hasToString("/x/cluster.xml");
    assertThat(run.conf).hasToString("/x/main.json");
    parsed = Main.commandLine(new PrintStream(out), new PrintStream(err)).parseArgs("run", "--cluster");
    run = parsed.subcommand().commandSpec().commandLine().getCommand();
    assertThat(run.host).isEqualTo("127.0.0.1");
    assertThat(run.hzFile).isNull();
    assertThat(run.conf).isNull();
  }
}
