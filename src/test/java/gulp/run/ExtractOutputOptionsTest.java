package gulp.run;

import gulp.cli.OptionParser;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code gulp extract} writes its output: through the page cache unless {@code --direct-io} is given. */
class ExtractOutputOptionsTest {
    private static boolean directIo(String... args) throws Exception {
        return RunSettings.conclude(OptionParser.parse(args)).directIo();
    }

    @Test
    void anExtractionWritesBufferedByDefaultAndWithODirectOnlyWhenAsked() throws Exception {
        assertFalse(directIo("extract", "/var/capture"));
        assertTrue(directIo("extract", "--direct-io", "/var/capture"));
        assertFalse(directIo("extract", "--buffered-io", "/var/capture"));
    }

    @Test
    void aCaptureKeepsODirectAsItsDefault() throws Exception {
        assertTrue(directIo("-i", "eth0", "-o", "/var/capture"));
        assertFalse(directIo("-i", "eth0", "--buffered-io"));
    }
}
