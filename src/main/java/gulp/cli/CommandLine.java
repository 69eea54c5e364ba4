package gulp.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small getopt-style parser: short options ({@code -q}, bundled {@code -qd}, with arguments
 * attached {@code -s100} or separate {@code -s 100}), long options ({@code --count 5},
 * {@code --count=5}), {@code --} ending options. Options are applied left to right, later ones
 * overriding earlier ones, as in the original Gulp.
 */
final class CommandLine {
    /** What an option does with its argument (null for flags). */
    @FunctionalInterface
    interface Action {
        void apply(String argument) throws UsageException;
    }

    private record Spec(String name, boolean takesArgument, Action action) {
    }

    private final Map<String, Spec> shortOptions = new LinkedHashMap<>();
    private final Map<String, Spec> longOptions = new LinkedHashMap<>();

    void flag(char shortName, String longName, Runnable action) {
        add(shortName, longName, false, argument -> action.run());
    }

    void option(char shortName, String longName, Action action) {
        add(shortName, longName, true, action);
    }

    private void add(char shortName, String longName, boolean takesArgument, Action action) {
        if (shortName != 0) {
            shortOptions.put(String.valueOf(shortName), new Spec("-" + shortName, takesArgument, action));
        }
        if (longName != null) {
            longOptions.put(longName, new Spec("--" + longName, takesArgument, action));
        }
    }

    /** Applies every option and returns the arguments that are not options. */
    List<String> parse(String[] args) throws UsageException {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                operands.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Spec spec = longOptions.get(name);
                if (spec == null) {
                    throw new UsageException("unknown option --" + name);
                }
                if (spec.takesArgument) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(spec.name + " needs an argument");
                        }
                        value = args[++i];
                    }
                } else if (value != null) {
                    throw new UsageException(spec.name + " takes no argument");
                }
                spec.action.apply(value);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int j = 1; j < arg.length(); j++) {
                    String name = arg.substring(j, j + 1);
                    Spec spec = shortOptions.get(name);
                    if (spec == null) {
                        throw new UsageException("unknown option -" + name);
                    }
                    if (spec.takesArgument) {
                        String value;
                        if (j + 1 < arg.length()) {
                            value = arg.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new UsageException(spec.name + " needs an argument");
                        }
                        spec.action.apply(value);
                        break;
                    }
                    spec.action.apply(null);
                }
            } else {
                operands.add(arg);
            }
        }
        return operands;
    }
}
