package klagg.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
  @TempDir
  Path tmp;

  static void write(Path p, String s) throws IOException {
    Files.write(p, s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void globsAndDirectoriesExpandToTheirDataFiles() throws IOException {
    Path sub = Files.createDirectories(tmp.resolve("a/b"));
    write(tmp.resolve("a/X-aggTrades-2024-01-01.csv"), "");
    write(sub.resolve("X-aggTrades-2024-01-02.zip"), "");
    write(sub.resolve("notes.txt"), "");
    assertThat(InputFiles.expand(List.of(tmp.resolve("a").toString())))
        .containsExactly(tmp.resolve("a/X-aggTrades-2024-01-01.csv"), sub.resolve("X-aggTrades-2024-01-02.zip"));
    assertThat(InputFiles.expand(List.of(tmp + "/a/*/*.zip"))).containsExactly(sub.resolve("X-aggTrades-2024-01-02.zip"));
    assertThat(InputFiles.expand(List.of(tmp + "/**/*.csv"))).containsExactly(tmp.resolve("a/X-aggTrades-2024-01-01.csv"));
    assertThatThrownBy(() -> InputFiles.expand(List.of(tmp + "/*.nothing"))).isInstanceOf(NoSuchFileException.class);
  }
}
