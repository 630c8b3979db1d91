package klagg.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Symbol name to dense id, looked up straight from ASCII bytes without building a String.
 * Open addressing over the ids; ids of removed symbols are reused. Not thread-safe: each owner
 * (ingest, a worker, replay) keeps its own and feeds it the same add/remove events.
 */
public final class SymbolIndex {
  private byte[][] names;
  private String[] strings;
  private int[] table; // id + 1, 0 = empty, -1 = tombstone
  private int mask;
  private int size;
  private int[] freeIds = new int[8];
  private int freeCount;
  private int nextId;

  public SymbolIndex(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 + 1) - 1) << 1;
    table = new int[cap];
    mask = cap - 1;
    names = new byte[Math.max(8, expected)][];
    strings = new String[names.length];
  }

  /**
   * Routing hash of a symbol: {@code String.hashCode()} of its upper-case ASCII name, computed the
   * same from bytes. Worker of a symbol = {@code Math.floorMod(hash, workers)}.
   */
  public static int hash(CharSequence s) {
    int h = 0;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  public static int hash(byte[] b, int off, int len) {
    int h = 0;
    for (int i = off, end = off + len; i < end; i++) {
      h = 31 * h + b[i];
    }
    return h;
  }

  public static int workerOf(CharSequence symbol, int workers) {
    return Math.floorMod(hash(symbol), workers);
  }

  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long K = 0x9E3779B97F4A7C15L;

  /**
   * Table position hash (not the routing hash): the name read eight bytes at a time (little-endian,
   * the last word zero-padded), each word mixed in by a multiply. A symbol name is one or two words.
   */
  static int tableHash(byte[] b, int off, int len) {
    long h = len * K;
    int i = off;
    int end = off + len;
    for (; end - i >= 8; i += 8) {
      h = (h ^ (long) LONG_LE.get(b, i)) * K;
    }
    int r = end - i;
    if (r > 0) {
      long w;
      if (b.length - i >= 8) {
        w = (long) LONG_LE.get(b, i) & AggTradeDecoder.lowBytes(r);
      } else {
        w = 0;
        for (int k = 0; k < r; k++) {
          w |= (b[i + k] & 0xFFL) << (8 * k);
        }
      }
      h = (h ^ w) * K;
    }
    return (int) (h ^ (h >>> 29));
  }

  /** {@link #tableHash(byte[], int, int)} of the bytes, upper-cased, or of the chars of a name. */
  private static int tableHash(byte[] b, int off, CharSequence s, int len) {
    long h = len * K;
    long w = 0;
    int k = 0;
    for (; k < len; k++) {
      long c = s != null ? s.charAt(k) & 0xFF : upper(b[off + k]) & 0xFF;
      w |= c << (8 * (k & 7));
      if ((k & 7) == 7) {
        h = (h ^ w) * K;
        w = 0;
      }
    }
    if ((k & 7) != 0) {
      h = (h ^ w) * K;
    }
    return (int) (h ^ (h >>> 29));
  }

  /** Adds {@code symbol} (upper-case ASCII) if absent; returns its id. */
  public int add(String symbol) {
    int existing = idOf(symbol);
    if (existing >= 0) {
      return existing;
    }
    byte[] b = symbol.getBytes(StandardCharsets.US_ASCII);
    int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
    if (id >= names.length) {
      names = Arrays.copyOf(names, Math.max(id + 1, names.length * 2));
      strings = Arrays.copyOf(strings, names.length);
    }
    names[id] = b;
    strings[id] = symbol;
    if ((size + 1) * 2 > table.length) {
      rehash(table.length * 2);
    }
    insert(b, id);
    size++;
    return id;
  }

  private void insert(byte[] b, int id) {
    int i = tableHash(b, 0, b.length) & mask;
    while (table[i] > 0) {
      i = (i + 1) & mask;
    }
    table[i] = id + 1;
  }

  private void rehash(int cap) {
    table = new int[cap];
    mask = cap - 1;
    for (int id = 0; id < nextId; id++) {
      if (names[id] != null) {
        insert(names[id], id);
      }
    }
  }

  /**
   * Adds {@code symbol} under a given id (ids assigned by one directory and shared by every owner).
   * Throws if the id is held by another symbol or the symbol holds another id.
   */
  public void put(String symbol, int id) {
    int existing = idOf(symbol);
    if (existing == id) {
      return;
    }
    if (existing >= 0) {
      throw new IllegalArgumentException(symbol + " already has id " + existing);
    }
    if (id < names.length && names[id] != null) {
      throw new IllegalArgumentException("id " + id + " is held by " + strings[id]);
    }
    if (id >= names.length) {
      names = Arrays.copyOf(names, Math.max(id + 1, names.length * 2));
      strings = Arrays.copyOf(strings, names.length);
    }
    for (int k = 0; k < freeCount; k++) {
      if (freeIds[k] == id) {
        freeIds[k] = freeIds[--freeCount];
        break;
      }
    }
    for (int k = nextId; k < id; k++) {
      if (freeCount == freeIds.length) {
        freeIds = Arrays.copyOf(freeIds, freeCount * 2);
      }
      freeIds[freeCount++] = k;
    }
    nextId = Math.max(nextId, id + 1);
    byte[] b = symbol.getBytes(StandardCharsets.US_ASCII);
    names[id] = b;
    strings[id] = symbol;
    if ((size + 1) * 2 > table.length) {
      rehash(table.length * 2);
    }
    insert(b, id);
    size++;
  }

  /** Removes {@code symbol} (upper-case ASCII); its id may be handed out again. Returns the id or -1. */
  public int remove(String symbol) {
    byte[] b = symbol.getBytes(StandardCharsets.US_ASCII);
    int i = tableHash(b, 0, b.length) & mask;
    for (int e; (e = table[i]) != 0; i = (i + 1) & mask) {
      if (e > 0 && Arrays.equals(names[e - 1], b)) {
        int id = e - 1;
        table[i] = -1;
        names[id] = null;
        strings[id] = null;
        if (freeCount == freeIds.length) {
          freeIds = Arrays.copyOf(freeIds, freeCount * 2);
        }
        freeIds[freeCount++] = id;
        size--;
        rehash(table.length); // drop tombstones; removals are rare
        return id;
      }
    }
    return -1;
  }

  /** Id of the symbol whose ASCII name is {@code b[off, off+len)}, or -1. No allocation. */
  public int idOf(byte[] b, int off, int len) {
    int i = tableHash(b, off, len) & mask;
    for (int e; (e = table[i]) != 0; i = (i + 1) & mask) {
      if (e > 0) {
        byte[] n = names[e - 1];
        if (n.length == len && Arrays.equals(n, 0, len, b, off, off + len)) {
          return e - 1;
        }
      }
    }
    return -1;
  }

  /** Like {@link #idOf(byte[], int, int)} but the bytes may be lower case (stream names). */
  public int idOfIgnoreCase(byte[] b, int off, int len) {
    int i = tableHash(b, off, null, len) & mask;
    for (int e; (e = table[i]) != 0; i = (i + 1) & mask) {
      if (e > 0) {
        byte[] n = names[e - 1];
        if (n.length == len && equalsUpper(n, b, off)) {
          return e - 1;
        }
      }
    }
    return -1;
  }

  private static int upper(byte c) {
    return c >= 'a' && c <= 'z' ? c - 32 : c;
  }

  private static boolean equalsUpper(byte[] n, byte[] b, int off) {
    for (int k = 0; k < n.length; k++) {
      if (n[k] != upper(b[off + k])) {
        return false;
      }
    }
    return true;
  }

  public int idOf(CharSequence symbol) {
    int len = symbol.length();
    int i = tableHash(null, 0, symbol, len) & mask;
    for (int e; (e = table[i]) != 0; i = (i + 1) & mask) {
      if (e > 0) {
        byte[] n = names[e - 1];
        if (n.length == len && sameChars(n, symbol)) {
          return e - 1;
        }
      }
    }
    return -1;
  }

  private static boolean sameChars(byte[] n, CharSequence s) {
    for (int k = 0; k < n.length; k++) {
      if (n[k] != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Name of id, or null if free. */
  public String name(int id) {
    return id >= 0 && id < strings.length ? strings[id] : null;
  }

  public int size() {
    return size;
  }

  /** One past the largest id ever handed out: size arrays indexed by id with this. */
  public int idLimit() {
    return nextId;
  }
}
