package klagg.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The TCP bridge's frame check passes well-formed input on unchanged, however the network splits it:
 * random valid frames cut at random points reach the bridge as the same frames, in order, one whole
 * frame per call. (Malformed input is {@code BridgeFuzzTest}'s.) Replay a failure's seed with
 * {@code @Property(seed = "...")}.
 */
class FrameCheckTest {
  @Property(tries = 300)
  void validFramesSplitAnywhereReachTheBridgeWhole(
      @ForAll @Size(min = 1, max = 8) List<@StringLength(max = 300) String> bodies,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 100_000) Integer> cuts) {
    Buffer wire = Buffer.buffer();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      String frame = new JsonObject().put("type", "send").put("address", "klagg.in.query")
          .put("replyAddress", "r" + i).put("body", bodies.get(i)).encode();
      Buffer b = Buffer.buffer(frame);
      sent.add(b.toString()); // as UTF-8 carries it
      wire.appendInt(b.length()).appendBuffer(b);
    }
    List<Integer> at = new ArrayList<>();
    for (int c : cuts) {
      at.add(c % (wire.length() + 1));
    }
    Collections.sort(at);
    List<Buffer> got = new ArrayList<>();
    GuardedNetSocket.FrameCheck check = new GuardedNetSocket(null, 65536,
        why -> { throw new AssertionError("refused: " + why); }).new FrameCheck(got::add);
    int from = 0;
    for (int c : at) {
      check.handle(wire.getBuffer(from, c));
      from = c;
    }
    check.handle(wire.getBuffer(from, wire.length()));
    List<String> received = new ArrayList<>();
    for (Buffer b : got) {
      assertThat(b.getInt(0)).as("one whole frame per call").isEqualTo(b.length() - 4);
      received.add(b.getString(4, b.length()));
    }
    assertThat(received).isEqualTo(sent);
  }
}
