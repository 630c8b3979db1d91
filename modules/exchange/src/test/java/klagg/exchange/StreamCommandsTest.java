package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamCommandsTest {
  @Test
  void subscriptionsComeFirstThenUnsubscriptionsAtMostMaxEach() {
    Set<String> want = new LinkedHashSet<>(List.of("a", "b", "c"));
    Set<String> have = new LinkedHashSet<>(List.of("b", "x", "y"));
    boolean[] sub = new boolean[1];
    assertThat(StreamCommands.nextBatch(want, have, 1, sub)).containsExactly("a");
    assertThat(sub[0]).isTrue();
    assertThat(StreamCommands.nextBatch(want, have, 5, sub)).containsExactly("a", "c");
    have.addAll(List.of("a", "c"));
    assertThat(StreamCommands.nextBatch(want, have, 5, sub)).containsExactly("x", "y");
    assertThat(sub[0]).isFalse();
    have.removeAll(List.of("x", "y"));
    assertThat(StreamCommands.nextBatch(want, have, 5, sub)).isEmpty();
  }

  @Test
  void commandsAreBinanceJson() {
    String c = StreamCommands.command(false, List.of("btcusdt@aggTrade", "odd\"\\\u0001"), 42);
    assertThat(c).startsWith("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@aggTrade\",");
    JsonObject j = new JsonObject(c);
    assertThat(j.getLong("id")).isEqualTo(42L);
    assertThat(j.getJsonArray("params").getList()).containsExactly("btcusdt@aggTrade", "odd\"\\\u0001");
  }
}
