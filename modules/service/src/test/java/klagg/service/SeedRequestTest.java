package klagg.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import klagg.core.AggTrade;
import klagg.core.Interval;
import org.junit.jupiter.api.Test;

/** What a worker asks the REST verticle for when it seeds a symbol ({@link Seeding#request}). */
class SeedRequestTest {
  private static final long OPEN = 1_700_000_040_000L; // a minute's open

  private static AggTrade trade(long aggId, long time, long price) {
    return new AggTrade().set(0, aggId, price, 2, 1, 0, aggId, aggId, time, false);
  }

  @Test
  void heldTradesStraddlingAnOpenWithConsecutiveIdsAreTheProof() {
    List<AggTrade> held = List.of(trade(10, OPEN - 5_000, 12345), trade(11, OPEN - 1, 12346), trade(12, OPEN + 3, 12347));
    JsonObject r = Seeding.request("BTCUSDT", held, Interval.M1, true);
    assertThat(r.getString("symbol")).isEqualTo("BTCUSDT");
    assertThat(r.getLong("asOf")).isEqualTo(OPEN);
    assertThat(r.getLong("lastAggId")).isEqualTo(11);
    assertThat(r.getLong("lastPrice")).isEqualTo(12346);
    assertThat(r.getInteger("priceScale")).isEqualTo(2);
    assertThat(r.containsKey("deferrable")).isFalse();
  }

  @Test
  void aHoleAtTheOpenIsNoProof() {
    List<AggTrade> held = List.of(trade(10, OPEN - 1, 1), trade(12, OPEN + 3, 2));
    JsonObject r = Seeding.request("BTCUSDT", held, Interval.M1, true);
    assertThat(r.containsKey("asOf")).isFalse();
    assertThat(r.getBoolean("deferrable")).isTrue();
  }

  @Test
  void tradesInOneWindowAreNoProof() {
    List<AggTrade> held = List.of(trade(10, OPEN + 1, 1), trade(11, OPEN + 3, 2));
    assertThat(Seeding.request("X", held, Interval.M1, false).getBoolean("deferrable")).isFalse();
  }

  @Test
  void nothingHeldAsksForAFullSeed() {
    JsonObject r = Seeding.request("X", null, Interval.M1, true);
    assertThat(r.fieldNames()).containsExactlyInAnyOrder("symbol", "deferrable");
  }
}
