package gulp.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code gulp extract} writes its output: through the page cache unless {@code --direct-io} is given. */
class ExtractOutputOptionsTest {
    @Test
    void anExtractionWritesBufferedByDefaultAndWithODirectOnlyWhenAsked() throws Exception {
        assertFalse(OptionParser.parse(new String[] {"/var/capture"}, "extract").directIo);
        assertTrue(OptionParser.parse(new String[] {"--direct-io", "/var/capture"}, "extract").directIo);
        assertFalse(OptionParser.parse(new String[] {"--buffered-io", "/var/capture"}, "extract").directIo);
    }

    @Test
    void aCaptureKeepsODirectAsItsDefault() throws Exception {
        assertTrue(OptionParser.parse(new String[] {"-i", "eth0", "-o", "/var/capture"}).directIo);
        assertFalse(OptionParser.parse(new String[] {"-i", "eth0", "--buffered-io"}).directIo);
    }
}
