package klagg.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates {@code ../shared/data/binance} (real exchange data) for golden tests. */
public final class SharedData {
  private SharedData() {}

  public static Path binance(String file) {
    String prop = System.getProperty("klagg.shared");
    if (prop != null) {
      Path p = Paths.get(prop, "data", "binance", file);
      if (Files.exists(p)) {
        return p;
      }
    }
    Path dir = Paths.get("").toAbsolutePath();
    for (; dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("shared").resolve("data").resolve("binance").resolve(file);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalStateException("shared data file not found: " + file
        + " (set -Dklagg.shared=/path/to/shared)");
  }
}
