package gulp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary directories the tests make beyond JUnit's {@code @TempDir}, and their removal: a test
 * leaves nothing behind in /tmp, even when it kills what it started.
 */
public final class TempTrees {
    private TempTrees() {
    }

    /** The java.io.tmpdir of the JVMs this JVM starts (gulp, the Kafka broker), made on first use. */
    private static final class Children {
        static final Path DIR = makeChildrenDirectory();
    }

    /**
     * A directory for the java.io.tmpdir of the JVMs the tests start, removed when this JVM ends.
     * lz4-java (kafka-clients' compression) unpacks its native library into java.io.tmpdir in every
     * JVM that loads it and removes it only at a normal exit (File.deleteOnExit), so a killed gulp
     * or broker would leave a liblz4-java-N.so and its .lck in /tmp; here they go with the directory.
     */
    public static Path childrenTmpdir() {
        return Children.DIR;
    }

    private static Path makeChildrenDirectory() {
        try {
            Path dir = Files.createTempDirectory("gulp-test-children");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code tree} and everything below it; a tree already gone is no error. */
    public static void delete(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /** {@link #delete}, for shutdown hooks and cleanup after a failure: a failure is one line on stderr. */
    public static void deleteQuietly(Path tree) {
        try {
            delete(tree);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("gulp tests: could not remove " + tree + ": " + e);
        }
    }
}
