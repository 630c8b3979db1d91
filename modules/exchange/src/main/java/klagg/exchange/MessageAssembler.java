package klagg.exchange;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One connection's incoming WebSocket message, put together from its frames into one reused byte
 * array (no allocation per message once the array has grown to the usual size), and told apart:
 * stream data ({@code {"stream":…}} or a raw event {@code {"e":…}}) or a control message (a command
 * reply, a server notice). A message over {@code maxMessageSize} is dropped whole.
 */
final class MessageAssembler {
  /** {@link #add} results. */
  static final int MORE = 0;
  static final int MESSAGE = 1;
  static final int OVERSIZE = 2;

  private static final byte[] KEY_STREAM = "\"stream\"".getBytes(StandardCharsets.US_ASCII);

  private final int maxMessageSize;
  private byte[] buf = new byte[8192];
  private int len;
  private boolean inFragment;
  private boolean overflow;

  MessageAssembler(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Adds a text, binary or continuation frame's payload: {@link #MESSAGE} when a whole message is in
   * {@link #bytes()}{@code [0, }{@link #length()}{@code )}, {@link #OVERSIZE} when a whole message was
   * dropped for its size, else {@link #MORE} (more fragments to come, or a stray continuation ignored).
   */
  int add(Buffer data, boolean continuation, boolean fin) {
    int n = data.length();
    if (continuation) {
      if (!inFragment) {
        return MORE; // stray continuation: protocol error, ignore
      }
      append(data, n);
    } else {
      len = 0;
      overflow = false;
      inFragment = !fin;
      append(data, n);
    }
    if (!fin) {
      return MORE;
    }
    inFragment = false;
    if (overflow) {
      overflow = false;
      return OVERSIZE;
    }
    return MESSAGE;
  }

  byte[] bytes() {
    return buf;
  }

  int length() {
    return len;
  }

  /** Whether the message is stream data rather than a control message. */
  boolean isStreamData() {
    byte[] b = buf;
    int i = 0;
    while (i < len && b[i] <= ' ') {
      i++;
    }
    if (i >= len || b[i] != '{') {
      return true;
    }
    int k = i + 1;
    while (k < len && b[k] <= ' ') {
      k++;
    }
    return startsWith(b, k, len, KEY_STREAM) || isEvent(b, k, len);
  }

  private void append(Buffer data, int n) {
    if (overflow) {
      return;
    }
    int need = len + n;
    if (need > maxMessageSize) {
      overflow = true;
      return;
    }
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.min(maxMessageSize, Math.max(need, buf.length * 2)));
    }
    data.getBytes(0, n, buf, len);
    len = need;
  }

  /** A raw event ({@code {"e":…}}) rather than a command reply. */
  private static boolean isEvent(byte[] b, int k, int len) {
    return k + 3 < len && b[k] == '"' && b[k + 1] == 'e' && b[k + 2] == '"';
  }

  private static boolean startsWith(byte[] b, int off, int len, byte[] p) {
    if (len - off < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (b[off + i] != p[i]) {
        return false;
      }
    }
    return true;
  }
}
