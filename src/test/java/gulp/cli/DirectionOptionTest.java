package gulp.cli;

import gulp.capture.Direction;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -Q} / {@code --direction}: parsed as tcpdump's, refused where a direction means nothing. */
class DirectionOptionTest {
    @TempDir
    Path dir;

    @Test
    void directionTakesInOutOrInoutAndDefaultsToInout() throws Exception {
        assertEquals(Direction.INOUT, OptionParser.parse(new String[] {"-i", "eth0"}).direction);
        assertEquals(Direction.IN, OptionParser.parse(new String[] {"-i", "eth0", "-Q", "in"}).direction);
        assertEquals(Direction.OUT, OptionParser.parse(new String[] {"-i", "eth0", "--direction=out"}).direction);
        assertEquals(Direction.INOUT, OptionParser.parse(new String[] {"-i", "eth0", "--direction", "inout"}).direction);
        UsageException bad = assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-i", "eth0", "-Q", "both"}));
        assertEquals("-Q takes in, out or inout, not 'both'", bad.getMessage());
    }

    @Test
    void directionOnFileInputIsOneLineAndStatus2() throws Exception {
        GulpProcess.Result result = GulpProcess.run(null, dir.resolve("o.pcap"), "--read",
                PcapFiles.ZEEK.resolve("vxlan.pcap").toString(), "-Q", "in");
        assertEquals(Main.EXIT_USAGE, result.status(), result.stderr());
        assertTrue(result.errorLine().startsWith("gulp: -Q applies to live capture (-i IFACE) only"), result.stderr());
    }
}
