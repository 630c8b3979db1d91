package klagg.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the e2e harness measures of its own JVM and machine: process CPU time, the embedded
 * PostgreSQL's CPU ticks (outside this JVM), resident memory, the live heap after a full GC, and the
 * live objects' class histogram. Linux's /proc where it has to; -1 where it is missing.
 */
final class JvmProbes {
  private JvmProbes() {
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU time (user + system, in clock ticks of 10 ms) of every {@code postgres} process on the
   * machine: the embedded database the service writes to is outside this JVM's process CPU. -1 where
   * /proc is missing.
   */
  static long postgresCpuTicks() {
    long ticks = 0;
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        if (!d.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(d.resolve("stat"));
          int close = stat.lastIndexOf(')');
          if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")) {
            continue;
          }
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (Exception e) {
          // the process ended meanwhile
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return ticks;
  }

  static long rssBytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }

  static long usedHeapAfterGc() {
    System.gc();
    System.gc();
    var m = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return m.getUsed();
  }

  /**
   * The live heap right after a full GC: {@code System.gc()} twice, then the heap pools' usage as
   * the last collection left it (their collection usage; the used heap where the pools report none),
   * so what the running service allocates meanwhile does not count.
   */
  static long liveHeapAfterFullGc() {
    System.gc();
    System.gc();
    long n = 0;
    boolean any = false;
    for (java.lang.management.MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null) {
        n += p.getCollectionUsage().getUsed();
        any = true;
      }
    }
    return any ? n : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * The live objects' class histogram (the JVM's {@code GC.class_histogram}, which collects first),
   * taken in-process through the DiagnosticCommand MBean: class name to {instances, bytes}.
   */
  static Map<String, long[]> classHistogram() throws Exception {
    var server = ManagementFactory.getPlatformMBeanServer();
    var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
    String text = (String) server.invoke(name, "gcClassHistogram", new Object[] {new String[0]},
        new String[] {String[].class.getName()});
    return parseClassHistogram(text);
  }

  /** {@code GC.class_histogram}'s text ("  1:  instances  bytes  class (module)") to class -> {instances, bytes}. */
  static Map<String, long[]> parseClassHistogram(String text) {
    Map<String, long[]> m = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[0].endsWith(":") || !f[0].chars().limit(f[0].length() - 1).allMatch(Character::isDigit)) {
        continue;
      }
      try {
        long[] v = m.computeIfAbsent(f[3], x -> new long[2]);
        v[0] += Long.parseLong(f[1]);
        v[1] += Long.parseLong(f[2]);
      } catch (NumberFormatException e) {
        // not a histogram row
      }
    }
    return m;
  }
}
