package klagg.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {
  static String text(MessageAssembler m) {
    return new String(m.bytes(), 0, m.length(), StandardCharsets.UTF_8);
  }

  @Test
  void fragmentsMakeOneMessageAndTheArrayIsReused() {
    MessageAssembler m = new MessageAssembler(1 << 16);
    assertThat(m.add(Buffer.buffer("{\"stream\":\"a@aggTrade\","), false, false)).isEqualTo(MessageAssembler.MORE);
    assertThat(m.add(Buffer.buffer("\"data\":{}}"), true, true)).isEqualTo(MessageAssembler.MESSAGE);
    assertThat(text(m)).isEqualTo("{\"stream\":\"a@aggTrade\",\"data\":{}}");
    assertThat(m.isStreamData()).isTrue();
    byte[] first = m.bytes();
    assertThat(m.add(Buffer.buffer("{\"result\":null,\"id\":1}"), false, true)).isEqualTo(MessageAssembler.MESSAGE);
    assertThat(text(m)).isEqualTo("{\"result\":null,\"id\":1}");
    assertThat(m.isStreamData()).as("a command reply").isFalse();
    assertThat(m.bytes()).isSameAs(first);
  }

  @Test
  void oversizeMessagesAreDroppedWholeAndStrayContinuationsIgnored() {
    MessageAssembler m = new MessageAssembler(16);
    assertThat(m.add(Buffer.buffer("0123456789"), false, false)).isEqualTo(MessageAssembler.MORE);
    assertThat(m.add(Buffer.buffer("0123456789"), true, false)).isEqualTo(MessageAssembler.MORE);
    assertThat(m.add(Buffer.buffer("x"), true, true)).isEqualTo(MessageAssembler.OVERSIZE);
    assertThat(m.add(Buffer.buffer("late"), true, true)).as("no fragment open").isEqualTo(MessageAssembler.MORE);
    assertThat(m.add(Buffer.buffer(" {\"e\":\"trade\"}"), false, true)).isEqualTo(MessageAssembler.MESSAGE);
    assertThat(m.isStreamData()).as("a raw event").isTrue();
    assertThat(m.add(Buffer.buffer("[1,2]"), false, true)).isEqualTo(MessageAssembler.MESSAGE);
    assertThat(m.isStreamData()).as("not an object: handed on as data").isTrue();
  }
}
