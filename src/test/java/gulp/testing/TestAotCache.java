package gulp.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JDK AOT cache for the gulp processes of a test run, as bin/gulp uses one for users: the classes
 * under test in a jar (an AOT cache takes jars, not directories), trained once per test JVM by
 * bin/lib/aot-train.sh (the launcher's own training: a short --read, index and extract and, as root, a short live capture
 * in a namespace of its own). Every gulp process of the suite starts from it, which saves about a
 * third of each start-up's CPU time. GULP_TEST_AOT=0 turns it off; when the training fails the
 * processes start without it (one line on the test JVM's stderr says so).
 */
final class TestAotCache {
    /** The class path of the gulp processes and the JVM options that go with it. */
    record Use(String classPath, List<String> jvmOptions) {
    }

    private TestAotCache() {
    }

    /** What {@link GulpProcess} starts gulp with: the trained jar and cache, or the plain class path. */
    static Use prepare(List<String> launcherFlags, String plainClassPath) {
        if ("0".equals(System.getenv("GULP_TEST_AOT"))) {
            return new Use(plainClassPath, List.of());
        }
        try {
            return train(launcherFlags);
        } catch (IOException | RuntimeException e) {
            System.err.println("gulp tests: no AOT cache for the gulp processes (" + e.getMessage() + "); they start without one");
            return new Use(plainClassPath, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Use(plainClassPath, List.of());
        }
    }

    private static Use train(List<String> launcherFlags) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow(() -> new IOException("no java command")));
        Path dir = Path.of("target", "test-aot").toAbsolutePath();
        Files.createDirectories(dir);
        Path jar = dir.resolve("gulp-classes.jar");
        Path cache = dir.resolve("gulp.aot");
        Files.deleteIfExists(jar);
        Files.deleteIfExists(cache);
        Tools.check(java.resolveSibling("jar").toString(), "--create", "--file", jar.toString(),
                "-C", GulpProcess.classesDirectory().toString(), ".");
        StringBuilder cp = new StringBuilder(jar.toString());
        for (String entry : GulpProcess.libraryJars()) {
            cp.append(File.pathSeparatorChar).append(entry);
        }
        List<String> silent = List.of("-Xlog:aot*=off:stderr", "-Xlog:cds*=off:stderr");
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "source bin/lib/aot-train.sh && java=\"$1\" && cache=\"$2\" && shift 2 && aot_train \"$java\" \"$cache\" \"$@\"",
                "aot-train", java.toString(), cache.toString()));
        command.addAll(launcherFlags);
        command.addAll(silent);
        command.addAll(List.of("-cp", cp.toString()));
        Path log = dir.resolve("training.txt");
        ProcessBuilder training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        training.environment().put("AOT_TRAINING_LOG", dir.resolve("training-gulp.txt").toString());
        Process p = training.start();
        p.getOutputStream().close();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the training did not end");
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
            throw new IOException("the training failed, see " + log);
        }
        List<String> options = new ArrayList<>(List.of("-XX:AOTCache=" + cache));
        options.addAll(silent);
        return new Use(cp.toString(), List.copyOf(options));
    }
}
