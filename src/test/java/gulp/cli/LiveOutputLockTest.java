package gulp.cli;

import gulp.testing.GulpInNamespace;
import gulp.testing.PcapFiles;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -x} with live capture: the lock is named after the interface captured, also the default one. */
class LiveOutputLockTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();

    @TempDir
    Path temp;

    /** gulp in the capture namespace to its end; returns the exit status (stderr in {@code name}). */
    private int runToEnd(String name, String... args) throws Exception {
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, temp.resolve(name), args)) {
            return gulp.waitFor(30);
        }
    }

    @Test
    void theDefaultInterfaceIsLockedUnderItsOwnNameNotAsFileInput() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("out"));
        Path input = PcapFiles.writeSynthetic(temp.resolve("in.pcap"), 5, 5, 1_700_000_000L);
        // No -i: the only interface up besides loopback in the namespace is the veth end.
        try (GulpInNamespace first = GulpInNamespace.start(bed.captureNamespace, null, null, temp.resolve("first.txt"),
                "-o", dir.toString(), "-x")) {
            assertTrue(first.awaitListening(20_000), first::stderrOrReason);
            assertTrue(Files.exists(dir.resolve(".gulp-" + bed.captureInterface + ".lock")), first::stderrOrReason);

            int explicit = runToEnd("explicit.txt", "-i", bed.captureInterface, "-o", dir.toString(), "--duration", "1");
            String explicitErr = Files.readString(temp.resolve("explicit.txt"));
            assertEquals(4, explicit, explicitErr);
            assertTrue(explicitErr.contains("another gulp is writing " + bed.captureInterface + " into " + dir), explicitErr);

            int files = runToEnd("files.txt", "--read", input.toString(), "-o", dir.toString(), "-x");
            assertEquals(0, files, Files.readString(temp.resolve("files.txt")));

            first.signal("INT");
            assertEquals(0, first.waitFor(30), first::stderrOrReason);
        }
    }
}
