package klagg.core;

/** Where the binary form of a batch is written (a Vert.x Buffer in the service, a byte[] in tests). */
public interface WireOut {
  void writeInt(int v);

  void writeLong(long v);

  void writeByte(int v);
}
