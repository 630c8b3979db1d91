package klagg.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class SimConfigTest {
  @Test
  void parsesOptions() {
    SimConfig c = SimConfig.fromArgs(new String[] {"--host", "0.0.0.0", "--port", "0", "--symbols", "300",
        "--rate", "1000", "--seed", "42", "--speed", "max", "--firehose", "--symbol=ethusdt"});
    assertThat(c.host).isEqualTo("0.0.0.0");
    assertThat(c.port).isZero();
    assertThat(c.symbols).isEqualTo(300);
    assertThat(c.rate).isEqualTo(1000);
    assertThat(c.seed).isEqualTo(42);
    assertThat(c.speed).isZero();
    assertThat(c.firehose).isTrue();
    assertThat(c.symbol).isEqualTo("ETHUSDT");
  }

  @Test
  void rejectsUnknownAndBadOptions() {
    assertThatThrownBy(() -> SimConfig.fromArgs(new String[] {"--bogus", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> SimConfig.fromArgs(new String[] {"--symbols", "9999"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimConfig.fromArgs(new String[] {"--port"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimConfig.fromArgs(new String[] {"--rate", "fast"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
  }

  @Test
  void fromJson() {
    SimConfig c = SimConfig.fromJson(new JsonObject().put("port", 0).put("symbols", 5).put("speed", "max")
        .put("pingIntervalMs", 300).put("timeScale", 10.0));
    assertThat(c.symbols).isEqualTo(5);
    assertThat(c.speed).isZero();
    assertThat(c.pingIntervalMs).isEqualTo(300);
    assertThat(c.timeScale).isEqualTo(10.0);
  }

  @Test
  void mainHelpAndBadOption() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true));
      System.setErr(new PrintStream(e, true));
      assertThat(SimMain.run(new String[] {"--help"})).isZero();
      assertThat(SimMain.run(new String[] {"--nope"})).isEqualTo(2);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertThat(o.toString()).contains("--symbols").contains("--replay");
    assertThat(e.toString().trim().lines().count()).isEqualTo(1);
    assertThat(SimConfig.usage()).contains("--firehose");
  }
}
