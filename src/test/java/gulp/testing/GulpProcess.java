package gulp.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the real {@code gulp} command as a child process from the compiled classes, with the JVM
 * flags of the launcher, so tests exercise exactly what users run (signals, exit status, stdout).
 */
public final class GulpProcess {
    /**
     * SIGHUP at its default, whatever the test runner inherited: under nohup it would be ignored,
     * and gulp rightly keeps an ignored SIGHUP ignored. Needs GNU env 8.31 or later; without it
     * gulp inherits the runner's SIGHUP.
     */
    private static final List<String> DEFAULT_SIGHUP =
            Tools.run("env", "--default-signal=HUP", "true").status() == 0 ? List.of("env", "--default-signal=HUP") : List.of();

    /** The definition of gulp's JVM flags that bin/gulp, bin/package and the benches source. */
    public static final Path JVM_FLAGS_FILE = Path.of("bin", "lib", "jvm-flags.sh");

    /** GULP_JVM_FLAGS of {@link #JVM_FLAGS_FILE}, as bash expands it: the flags gulp is run with. */
    public static final List<String> JVM_FLAGS = jvmFlags();

    /** The flags that keep the JVM's own output (thread dumps, warnings) off stdout. */
    public static final List<String> STDOUT_CLEAN_FLAGS =
            List.of("-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr");

    /** The launcher's AOT cache too, trained for this test run on first use ({@link TestAotCache}). */
    private static final class Aot {
        static final TestAotCache.Use USE = TestAotCache.prepare(JVM_FLAGS, classPath());
    }

    private GulpProcess() {
    }

    /**
     * The command line: the current JVM, the launcher's flags, a java.io.tmpdir this test JVM removes
     * ({@link TempTrees#childrenTmpdir}), the main class and {@code args}.
     */
    public static List<String> command(String... args) {
        return commandWithJvmOptions(List.of(), args);
    }

    /** {@link #command}, with more JVM options after the launcher's (e.g. a test hook's -D). */
    public static List<String> commandWithJvmOptions(List<String> jvmOptions, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(DEFAULT_SIGHUP);
        command.add(java);
        command.addAll(JVM_FLAGS);
        command.addAll(Aot.USE.jvmOptions());
        command.add("-Djava.io.tmpdir=" + TempTrees.childrenTmpdir());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", Aot.USE.classPath(), "gulp.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private static List<String> jvmFlags() {
        Tools.Output flags = Tools.run("bash", "-c", "source \"$1\" && printf '%s\\n' \"${GULP_JVM_FLAGS[@]}\"", "bash",
                JVM_FLAGS_FILE.toAbsolutePath().toString());
        if (flags.status() != 0 || flags.stdout().isBlank()) {
            throw new IllegalStateException("cannot read GULP_JVM_FLAGS from " + JVM_FLAGS_FILE + ": " + flags.stderr());
        }
        return flags.stdout().lines().toList();
    }

    /** A builder for the command; the caller sets redirects. */
    public static ProcessBuilder builder(String... args) {
        return new ProcessBuilder(command(args));
    }

    public static ProcessBuilder builder(List<String> args) {
        return builder(args.toArray(String[]::new));
    }

    /** Runs to completion with stdin from {@code input} (or empty), stdout to {@code output}. */
    public static Result run(Path input, Path output, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = builder(args);
        builder.redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(input.toFile()));
        builder.redirectOutput(output == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(output.toFile()));
        Process process = builder.start();
        String stderr = new String(process.getErrorStream().readAllBytes());
        int status = process.waitFor();
        return new Result(status, stderr);
    }

    public static Path classesDirectory() {
        return Path.of("target", "classes").toAbsolutePath();
    }

    /** The compiled classes and the runtime dependencies Maven copied into target/lib. */
    public static String classPath() {
        StringBuilder cp = new StringBuilder(classesDirectory().toString());
        for (String jar : libraryJars()) {
            cp.append(File.pathSeparatorChar).append(jar);
        }
        return cp.toString();
    }

    /** The runtime dependencies Maven copied into target/lib, in name order. */
    static List<String> libraryJars() {
        File[] jars = Path.of("target", "lib").toAbsolutePath().toFile().listFiles((dir, name) -> name.endsWith(".jar"));
        List<String> paths = new ArrayList<>();
        if (jars != null) {
            java.util.Arrays.sort(jars);
            for (File jar : jars) {
                paths.add(jar.getPath());
            }
        }
        return paths;
    }

    /** The end-of-run counters in {@code stderr}: label to value, from the "N label" lines. */
    public static Map<String, Long> counters(String stderr) {
        Map<String, Long> counters = new HashMap<>();
        for (String line : stderr.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.substring(0, space).chars().allMatch(Character::isDigit)) {
                counters.put(line.substring(space + 1).trim(), Long.parseLong(line.substring(0, space)));
            }
        }
        return counters;
    }

    /** Exit status and everything written to stderr. */
    public record Result(int status, String stderr) {
        /** The number before {@code label} in the end-of-run counters, or -1. */
        public long counter(String label) {
            return counters(stderr).getOrDefault(label, -1L);
        }

        /** The error line gulp printed ("gulp: ..."), or an empty string. */
        public String errorLine() {
            String last = "";
            for (String line : stderr.split("\n")) {
                if (line.startsWith("gulp: ") && !line.startsWith("gulp: reading") && !line.startsWith("gulp: capturing")) {
                    last = line;
                }
            }
            return last;
        }
    }
}
