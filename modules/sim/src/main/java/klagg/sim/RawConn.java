package klagg.sim;

import io.vertx.core.buffer.Buffer;

/**
 * A WebSocket served by hand over the raw socket (firehose mode): frames are appended to a
 * pending buffer and written in one write per burst, instead of one flush per frame.
 */
final class RawConn extends Conn {
  static final int RAW_WRITE_QUEUE_BYTES = 8 << 20;

  final io.vertx.core.net.NetSocket so;
  Buffer pending = Buffer.buffer(64 * 1024);
  Buffer in = Buffer.buffer();

  RawConn(WsHub hub, io.vertx.core.net.NetSocket so, boolean combined) {
    super(hub, combined);
    this.so = so;
    // room for a few bursts: the next one is encoded while the reader still works through the
    // last (with the default 64 KB the firehose waited for an empty queue, so simulator and
    // reader took turns instead of running at once)
    so.setWriteQueueMaxSize(RAW_WRITE_QUEUE_BYTES);
  }

  void frame(int opcode, byte[] payload) {
    frame(opcode, payload, 0, payload.length);
  }

  /**
   * One trade from {@link AggFrames#encode} ({@code b[0, end)}, combined form after a head of
   * {@code headLen} bytes): as it is on a combined stream, its payload alone on a raw one.
   */
  void frameTrade(byte[] b, int headLen, int end) {
    if (combined) {
      frame(1, b, 0, end);
    } else {
      frame(1, b, headLen, end - 1 - headLen);
    }
  }

  /** Appends an unmasked frame of {@code b[off, off+n)} to the pending burst. */
  void frame(int opcode, byte[] b, int off, int n) {
    pending.appendByte((byte) (0x80 | opcode));
    if (n < 126) {
      pending.appendByte((byte) n);
    } else if (n < 65536) {
      pending.appendByte((byte) 126).appendShort((short) n);
    } else {
      pending.appendByte((byte) 127).appendLong(n);
    }
    pending.appendBytes(b, off, n);
  }

  @Override
  void write(String text) {
    frame(1, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (pending.length() >= 256 * 1024) {
      flush();
    }
  }

  @Override
  void flush() {
    if (!closed) {
      writePending();
    }
  }

  private void writePending() {
    if (pending.length() > 0) {
      hub.rawBytesSent.addAndGet(pending.length());
      so.write(pending);
      pending = Buffer.buffer(64 * 1024);
    }
  }

  @Override
  boolean writeQueueFull() {
    return so.writeQueueFull();
  }

  /**
   * Stream data waits 100 ms after the upgrade: a client that reads frames in the same packet as
   * the 101 response may fail its handshake (seen with Vert.x's client at full rate).
   */
  @Override
  boolean ready() {
    return System.currentTimeMillis() - opened >= 100;
  }

  @Override
  void ping(String payload) {
    frame(9, payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Override
  void closeTransport(short code, String reason) {
    byte[] r = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    frame(8, p);
    writePending();
    so.close();
  }

  @Override
  void pauseReading() {
    so.pause();
  }

  @Override
  void resumeReading() {
    so.resume();
  }

  /** Parses client frames (masked, unfragmented control and text frames). */
  void onData(Buffer b) {
    in.appendBuffer(b);
    int pos = 0;
    int len = in.length();
    while (!closed && len - pos >= 2) {
      int b0 = in.getByte(pos) & 0xff;
      int b1 = in.getByte(pos + 1) & 0xff;
      int op = b0 & 0x0f;
      boolean masked = (b1 & 0x80) != 0;
      long n = b1 & 0x7f;
      int hdr = 2;
      if (n == 126) {
        if (len - pos < 4) {
          break;
        }
        n = in.getUnsignedShort(pos + 2);
        hdr = 4;
      } else if (n == 127) {
        if (len - pos < 10) {
          break;
        }
        n = in.getLong(pos + 2);
        hdr = 10;
      }
      if (n > (1 << 20)) {
        close((short) 1009, "Frame too big");
        return;
      }
      int maskLen = masked ? 4 : 0;
      if (len - pos < hdr + maskLen + n) {
        break;
      }
      byte[] payload = in.getBytes(pos + hdr + maskLen, pos + hdr + maskLen + (int) n);
      if (masked) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= in.getByte(pos + hdr + (i & 3));
        }
      }
      pos += hdr + maskLen + (int) n;
      switch (op) {
        case 8 -> {
          close((short) 1000, "");
          return;
        }
        case 9 -> {
          if (incoming(false, null)) {
            frame(10, payload);
            flush();
          }
        }
        case 10 -> incoming(true, null);
        case 1 -> incoming(false, new String(payload, java.nio.charset.StandardCharsets.UTF_8));
        default -> incoming(false, null);
      }
    }
    in = pos >= len ? Buffer.buffer() : in.getBuffer(pos, len);
  }

  /** The {@code Sec-WebSocket-Accept} answer to a client's key (RFC 6455). */
  static String acceptKey(String key) {
    try {
      java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
      byte[] d = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return java.util.Base64.getEncoder().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
