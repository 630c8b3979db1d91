package klagg.service.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The files {@code klagg replay} reads, from its arguments: directories, globs and plain paths. */
public final class InputFiles {
  private InputFiles() {}

  /**
   * Expands command-line arguments into files: a directory gives its {@code *.csv} and {@code *.zip}
   * files (recursively, sorted), a glob the shell did not expand ({@code data/*.zip},
   * {@code data/**}{@code /*.csv}) the matching files (sorted); anything else is taken as a file.
   *
   * @throws NoSuchFileException naming the argument when it matches nothing
   */
  public static List<Path> expand(List<String> args) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String arg : args) {
      Path p = Paths.get(arg);
      if (Files.isDirectory(p)) {
        out.addAll(listDir(p));
      } else if (Files.exists(p) || !isGlob(arg)) {
        if (!Files.exists(p)) {
          throw new NoSuchFileException(arg);
        }
        out.add(p);
      } else {
        List<Path> m = glob(arg);
        if (m.isEmpty()) {
          throw new NoSuchFileException(arg);
        }
        out.addAll(m);
      }
    }
    return out;
  }

  private static boolean isGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static boolean dataFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".csv") || n.endsWith(".zip");
  }

  private static List<Path> listDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = new ArrayList<>();
      s.filter(Files::isRegularFile).filter(InputFiles::dataFile).forEach(files::add);
      files.sort(Comparator.comparing(Path::toString));
      return files;
    }
  }

  private static List<Path> glob(String pattern) throws IOException {
    String norm = pattern.replace('\\', '/');
    String[] parts = norm.split("/", -1);
    int firstGlob = 0;
    while (firstGlob < parts.length && !isGlob(parts[firstGlob])) {
      firstGlob++;
    }
    StringBuilder base = new StringBuilder();
    for (int i = 0; i < firstGlob; i++) {
      base.append(parts[i]).append('/');
    }
    Path baseDir = base.length() == 0 ? Paths.get(".") : Paths.get(base.length() == 1 ? "/" : base.toString());
    if (!Files.isDirectory(baseDir)) {
      return List.of();
    }
    String rest = String.join("/", java.util.Arrays.asList(parts).subList(firstGlob, parts.length));
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.length - firstGlob;
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(baseDir, depth)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path rel = baseDir.relativize(p);
        if (rel.toString().isEmpty() || !m.matches(rel)) {
          continue;
        }
        Path shown = base.length() == 0 ? rel : p;
        if (Files.isDirectory(p)) {
          out.addAll(listDir(shown));
        } else if (Files.isRegularFile(p)) {
          out.add(shown);
        }
      }
    }
    out.sort(Comparator.comparing(Path::toString));
    return out;
  }

}
