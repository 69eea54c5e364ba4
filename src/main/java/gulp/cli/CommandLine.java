package gulp.cli;

import gulp.run.Options;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small getopt-style parser over {@link OptionSpec}s: short options ({@code -q}, bundled
 * {@code -qd}, with arguments attached {@code -s100} or separate {@code -s 100}), long options
 * ({@code --count 5}, {@code --count=5}), {@code --} ending options. Options are applied left to
 * right, later ones overriding earlier ones, as in the original Gulp.
 */
final class CommandLine {
    private final Map<String, OptionSpec> shortOptions = new HashMap<>();
    private final Map<String, OptionSpec> longOptions = new HashMap<>();
    private final Set<OptionSpec> given = new HashSet<>();

    CommandLine(List<OptionSpec> specs) {
        for (OptionSpec spec : specs) {
            if (spec.shortName() != 0 && shortOptions.put(String.valueOf(spec.shortName()), spec) != null) {
                throw new IllegalArgumentException("-" + spec.shortName() + " is defined twice");
            }
            if (spec.longName() != null && longOptions.put(spec.longName(), spec) != null) {
                throw new IllegalArgumentException("--" + spec.longName() + " is defined twice");
            }
        }
    }

    /** Whether the last {@link #parse} met the option of this long name (under any of its names). */
    boolean given(String longName) {
        return given.contains(longOptions.get(longName));
    }

    /** Applies every option to {@code options} and returns the arguments that are not options. */
    List<String> parse(String[] args, Options options) throws UsageException {
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
                OptionSpec spec = longOptions.get(name);
                if (spec == null) {
                    throw new UsageException("unknown option --" + name);
                }
                if (spec.takesArgument()) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("--" + name + " needs an argument");
                        }
                        value = args[++i];
                    }
                } else if (value != null) {
                    throw new UsageException("--" + name + " takes no argument");
                }
                apply(spec, options, value);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int j = 1; j < arg.length(); j++) {
                    String name = arg.substring(j, j + 1);
                    OptionSpec spec = shortOptions.get(name);
                    if (spec == null) {
                        throw new UsageException("unknown option -" + name);
                    }
                    if (spec.takesArgument()) {
                        String value;
                        if (j + 1 < arg.length()) {
                            value = arg.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new UsageException("-" + name + " needs an argument");
                        }
                        apply(spec, options, value);
                        break;
                    }
                    apply(spec, options, null);
                }
            } else {
                operands.add(arg);
            }
        }
        return operands;
    }

    private void apply(OptionSpec spec, Options options, String value) throws UsageException {
        spec.action().apply(options, value);
        given.add(spec);
    }
}
