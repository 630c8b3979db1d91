package klagg.core;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Real exchange data for golden tests: the repository's {@code testdata/binance/} (see its README.md for
 * the provenance), on the test classpath as {@code binance/<file>} (a test resource of this module's pom).
 */
public final class TestData {
  private TestData() {}

  public static Path binance(String file) {
    URL url = TestData.class.getClassLoader().getResource("binance/" + file);
    if (url == null) {
      throw new IllegalStateException("test data binance/" + file + " is not on the test classpath"
          + " (testdata/binance/ at the repository root, a test resource of the module's pom)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
