package klagg.core;

/** Where the binary form of a batch is read from. */
public interface WireIn {
  int readInt();

  long readLong();

  byte readByte();
}
