package gulp.run;

import gulp.cli.OptionParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A live {@code -o} run's JIT warm-up, the index's with it, touches no output and leaves no thread behind. */
class LiveRunWarmUpTest {
    @TempDir
    Path temp;

    @Test
    void theWarmUpOfAnIndexedOutputDirectoryLeavesNoFileAndNoThreadBehind() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("out"));
        Set<String> workingDirectory = listing(Path.of(""));
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        LiveRun.warmUp(RunSettings.conclude(OptionParser.parse(new String[] {"-i", "lo", "-o", dir.toString()})));
        Set<Thread> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !threadsBefore.contains(t))
                .collect(Collectors.toSet());
        assertTrue(started.stream().noneMatch(t -> t.getName().startsWith("gulp-")), started::toString);
        assertEquals(List.of(), List.copyOf(listing(dir)));
        assertEquals(workingDirectory, listing(Path.of("")));
    }

    private static Set<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir.toAbsolutePath())) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
