package klagg.exchange;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which stream goes on which logical connection of a {@link StreamClient}: streams are packed into
 * {@link StreamSlot}s of at most {@code perSlot}, a new stream into the first slot with room, a new
 * slot only when all are full. Not thread-safe (the client's context), except {@link #streams()}.
 */
final class StreamPacker {
  private final int perSlot;
  private final List<StreamSlot> slots = new ArrayList<>();
  private final Map<String, StreamSlot> assigned = new LinkedHashMap<>();
  private volatile Set<String> snapshot = Set.of();

  StreamPacker(int perSlot) {
    this.perSlot = perSlot;
  }

  /** Packs the streams not packed yet (null and empty names are skipped); returns the slots that got some. */
  Set<StreamSlot> add(Collection<String> streams) {
    Set<StreamSlot> touched = new LinkedHashSet<>();
    int from = 0;
    for (String st : streams) {
      if (st == null || st.isEmpty() || assigned.containsKey(st)) {
        continue;
      }
      StreamSlot slot = null;
      for (int i = from; i < slots.size(); i++) {
        StreamSlot c = slots.get(i);
        if (!c.removed && c.streams.size() < perSlot) {
          slot = c;
          from = i;
          break;
        }
      }
      if (slot == null) {
        slot = new StreamSlot();
        slots.add(slot);
        from = slots.size() - 1;
      }
      slot.streams.add(st);
      assigned.put(st, slot);
      touched.add(slot);
    }
    updateSnapshot();
    return touched;
  }

  /** Unpacks the streams; returns the slots that lost some (possibly left empty, still listed). */
  Set<StreamSlot> remove(Collection<String> streams) {
    Set<StreamSlot> touched = new LinkedHashSet<>();
    for (String st : streams) {
      StreamSlot s = assigned.remove(st);
      if (s != null) {
        s.streams.remove(st);
        touched.add(s);
      }
    }
    updateSnapshot();
    return touched;
  }

  /** Forgets a slot (emptied by {@link #remove}). */
  void drop(StreamSlot slot) {
    slots.remove(slot);
  }

  /** Forgets every slot and stream. */
  void clear() {
    slots.clear();
    assigned.clear();
    updateSnapshot();
  }

  /** The slots, in creation order (the live list: not to be changed by callers). */
  List<StreamSlot> slots() {
    return slots;
  }

  /** Slots not marked {@link StreamSlot#removed}. */
  int slotCount() {
    int n = 0;
    for (StreamSlot s : slots) {
      if (!s.removed) {
        n++;
      }
    }
    return n;
  }

  /** The packed streams; a snapshot, safe from any thread. */
  Set<String> streams() {
    return snapshot;
  }

  private void updateSnapshot() {
    snapshot = Collections.unmodifiableSet(new LinkedHashSet<>(assigned.keySet()));
  }
}
