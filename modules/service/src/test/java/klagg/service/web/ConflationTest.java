package klagg.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConflationTest {
  private final Conflation<String> q = new Conflation<>();

  private List<String> drainAll() {
    List<String> out = new ArrayList<>();
    q.drain(out::add, () -> false);
    return out;
  }

  @Test
  void keepsTheLatestVersionOfTheTwoNewestKlinesPerKeyInKeyOrder() {
    assertThat(q.put("a", 60, "a60v1")).isNull();
    assertThat(q.put("b", 60, "b60v1")).isNull();
    assertThat(q.put("a", 60, "a60v2")).isEqualTo("a60v1");
    assertThat(q.put("a", 120, "a120v1")).isNull();
    assertThat(q.put("a", 180, "a180v1")).isEqualTo("a60v2"); // the oldest of three goes
    assertThat(q.put("a", 60, "a60late")).isEqualTo("a60late"); // older than both that wait
    assertThat(q.put("a", 120, "a120v2")).isEqualTo("a120v1");
    assertThat(drainAll()).containsExactly("a120v2", "a180v1", "b60v1");
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void drainStopsWhileTheWriterIsFullAndResumesWhereItStopped() {
    q.put("a", 60, "a60");
    q.put("a", 120, "a120");
    q.put("b", 60, "b60");
    List<String> out = new ArrayList<>();
    q.drain(out::add, () -> out.size() >= 1);
    assertThat(out).containsExactly("a60");
    q.drain(out::add, () -> false);
    assertThat(out).containsExactly("a60", "a120", "b60");
  }

  @Test
  void clearHandsBackWhatWaitedAndRemoveForgetsOneKey() {
    q.put("a", 60, "a60");
    q.put("a", 120, "a120");
    q.put("b", 60, "b60");
    q.remove("b");
    List<String> discarded = new ArrayList<>();
    q.clear(discarded::add);
    assertThat(discarded).containsExactly("a60", "a120");
    assertThat(q.isEmpty()).isTrue();
  }
}
