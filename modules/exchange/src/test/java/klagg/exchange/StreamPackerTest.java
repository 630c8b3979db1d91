package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamPackerTest {
  private final StreamPacker packer = new StreamPacker(3);

  private static List<String> streams(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("s" + i + "@aggTrade");
    }
    return out;
  }

  @Test
  void fillsSlotsUpToTheLimitInOrder() {
    Set<StreamSlot> touched = packer.add(streams(0, 7));
    assertThat(touched).hasSize(3);
    assertThat(packer.slots()).hasSize(3);
    assertThat(packer.slots().get(0).streams).containsExactly("s0@aggTrade", "s1@aggTrade", "s2@aggTrade");
    assertThat(packer.slots().get(1).streams).containsExactly("s3@aggTrade", "s4@aggTrade", "s5@aggTrade");
    assertThat(packer.slots().get(2).streams).containsExactly("s6@aggTrade");
    assertThat(packer.slotCount()).isEqualTo(3);
    assertThat(packer.streams()).containsExactlyElementsOf(streams(0, 7));
  }

  @Test
  void skipsDuplicatesNullsAndEmptyNames() {
    packer.add(streams(0, 2));
    Set<StreamSlot> touched = packer.add(Arrays.asList("s1@aggTrade", null, "", "s1@aggTrade"));
    assertThat(touched).isEmpty();
    assertThat(packer.streams()).containsExactly("s0@aggTrade", "s1@aggTrade");
    assertThat(packer.slots()).hasSize(1);
  }

  @Test
  void aFreedPlaceIsFilledBeforeANewSlotIsOpened() {
    packer.add(streams(0, 6));
    StreamSlot first = packer.slots().get(0);
    assertThat(packer.remove(List.of("s1@aggTrade", "unknown@aggTrade"))).containsExactly(first);
    Set<StreamSlot> touched = packer.add(streams(6, 8));
    assertThat(first.streams).containsExactly("s0@aggTrade", "s2@aggTrade", "s6@aggTrade");
    assertThat(touched).hasSize(2).contains(first);
    assertThat(packer.slots()).hasSize(3);
    assertThat(packer.slots().get(2).streams).containsExactly("s7@aggTrade");
  }

  @Test
  void anEmptiedSlotStaysListedUntilDroppedAndRemovedSlotsTakeNoStreams() {
    packer.add(streams(0, 4));
    StreamSlot second = packer.slots().get(1);
    assertThat(packer.remove(List.of("s3@aggTrade"))).containsExactly(second);
    assertThat(second.streams).isEmpty();
    assertThat(packer.slots()).hasSize(2);
    second.removed = true;
    packer.drop(second);
    assertThat(packer.slots()).hasSize(1);
    assertThat(packer.slotCount()).isEqualTo(1);

    packer.slots().get(0).removed = true; // being closed: not counted, not filled
    assertThat(packer.slotCount()).isZero();
    packer.add(List.of("x@aggTrade"));
    assertThat(packer.slots()).hasSize(2);
    assertThat(packer.slots().get(1).streams).containsExactly("x@aggTrade");
  }

  @Test
  void theSnapshotIsACopyAndClearForgetsAll() {
    packer.add(streams(0, 2));
    Set<String> before = packer.streams();
    packer.add(streams(2, 3));
    assertThat(before).hasSize(2);
    assertThat(packer.streams()).hasSize(3);
    packer.clear();
    assertThat(packer.streams()).isEmpty();
    assertThat(packer.slots()).isEmpty();
    assertThat(packer.slotCount()).isZero();
  }
}
