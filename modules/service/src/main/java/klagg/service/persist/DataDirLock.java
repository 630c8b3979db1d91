package klagg.service.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The owner lock of an embedded data directory: an exclusive OS lock ({@code fcntl}, through
 * {@link FileChannel#tryLock()}) on {@value #FILE} inside it, which holds the owner's pid. The
 * operating system releases it when the owner dies, SIGKILL included, so a lock that cannot be taken
 * always means a live owner.
 *
 * <p>POSIX releases all of a process's locks on a file when any of its descriptors of that file is
 * closed, so this JVM never opens the lock file of a directory it already owns: owned directories are
 * kept in a JVM-wide set and checked first.
 */
final class DataDirLock {
  static final String FILE = "klagg.lock";
  /** zonky's own lock file, held by the JVM that runs the server (also by klagg versions before this lock). */
  static final String ZONKY_FILE = "epg-lock";

  private static final Set<Path> OWNED = new HashSet<>();

  /** The directory is owned by another live process (or another EmbeddedDatabase of this JVM). */
  static final class InUseException extends IllegalStateException {
    InUseException(String message) {
      super(message);
    }
  }

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir} (an existing directory) and writes this pid into it, or fails with
   * an {@link InUseException} naming the directory and the owner's pid. Never blocks. With {@code
   * checkZonky}, also fails when another process holds zonky's lock there (not when this JVM's own
   * zonky already holds it, as during a first start).
   */
  static DataDirLock acquire(Path dir, boolean checkZonky) throws IOException {
    Path key = dir.toRealPath();
    long me = ProcessHandle.current().pid();
    synchronized (OWNED) {
      if (OWNED.contains(key)) {
        throw inUse(dir, "is in use by another embedded PostgreSQL of this klagg (pid " + me + ")");
      }
      Path file = dir.resolve(FILE);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held in this JVM outside this class: treat as in use
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      if (lock == null) {
        String owner = readOwner(ch);
        ch.close();
        throw inUse(dir, "is in use by another running klagg (pid " + owner + ")");
      }
      try {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        if (checkZonky) {
          checkZonkyLock(dir);
        }
      } catch (IOException | RuntimeException e) {
        ch.close(); // releases the lock
        throw e;
      }
      OWNED.add(key);
      return new DataDirLock(key, ch, lock);
    }
  }

  private static InUseException inUse(Path dir, String what) {
    return new InUseException("data directory " + dir + " " + what);
  }

  private static String readOwner(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      int n = ch.read(b, 0);
      String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
      return s.matches("\\d+") ? s : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * zonky holds {@value #ZONKY_FILE} for as long as its server runs, and klagg versions before this
   * lock only had that one: if it is held, a live JVM runs a server here, which is no orphan.
   */
  private static void checkZonkyLock(Path dir) throws IOException {
    Path f = dir.resolve(ZONKY_FILE);
    FileChannel ch;
    try {
      ch = FileChannel.open(f, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return;
    }
    try (ch) {
      FileLock l = ch.tryLock();
      if (l == null) {
        throw inUse(dir, "is in use by another running process (it holds " + f + ")");
      }
      l.release();
    } catch (OverlappingFileLockException e) {
      throw inUse(dir, "is in use by another embedded PostgreSQL of this process");
    }
  }

  /** Releases the lock (the file stays: deleting it would let two owners lock two different files). */
  void release() {
    synchronized (OWNED) {
      try {
        if (lock.isValid()) {
          lock.release();
        }
        channel.close();
      } catch (IOException e) {
        // closing releases it anyway
      } finally {
        OWNED.remove(key);
      }
    }
  }
}
