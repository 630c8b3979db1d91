package klagg.service.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Minimal option parsing for the sub-commands: {@code --name value}, {@code --name=value}, flags,
 * positional arguments; an unknown option is a {@link UsageException}.
 */
public final class Args {
  /** A bad command line: one line for the user, exit code 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  private final Map<String, String> options = new LinkedHashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Args() {}

  /**
   * @param valued options that take a value
   * @param flags options without a value
   */
  public static Args parse(String[] args, Set<String> valued, Set<String> flags) {
    Args a = new Args();
    boolean onlyPositional = false;
    for (int i = 0; i < args.length; i++) {
      String s = args[i];
      if (onlyPositional || !s.startsWith("-") || s.equals("-")) {
        a.positional.add(s);
        continue;
      }
      if (s.equals("--")) {
        onlyPositional = true;
        continue;
      }
      String name = s;
      String value = null;
      int eq = s.indexOf('=');
      if (eq > 0) {
        name = s.substring(0, eq);
        value = s.substring(eq + 1);
      }
      if (flags.contains(name)) {
        if (value != null) {
          throw new UsageException("option " + name + " takes no value");
        }
        a.options.put(name, "true");
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new UsageException("option " + name + " needs a value");
          }
          value = args[++i];
        }
        a.options.put(name, value);
      } else {
        throw new UsageException("unknown option " + name);
      }
    }
    return a;
  }

  public boolean has(String name) {
    return options.containsKey(name);
  }

  public String get(String name, String def) {
    return options.getOrDefault(name, def);
  }

  public long getLong(String name, long def) {
    String v = options.get(name);
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("option " + name + " needs a whole number, got '" + v + "'");
    }
  }

  public List<String> positional() {
    return positional;
  }
}
