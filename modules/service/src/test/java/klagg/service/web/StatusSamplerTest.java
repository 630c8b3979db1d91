package klagg.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StatusSamplerTest {
  @Test
  void liveComesFromTheWorkersLiveFieldOrSymbolsLessNotLive() {
    assertThat(StatusSampler.liveOf(new JsonObject().put("symbols", 10).put("notLive", 3).put("live", 5))).isEqualTo(5);
    assertThat(StatusSampler.liveOf(new JsonObject().put("symbols", 10).put("notLive", 3))).isEqualTo(7);
    assertThat(StatusSampler.liveOf(new JsonObject().put("symbols", 10))).isEqualTo(10);
    assertThat(StatusSampler.liveOf(new JsonObject())).isZero();
    assertThat(StatusSampler.liveOf(null)).isZero();
  }
}
