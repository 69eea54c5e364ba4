package gulp.run;

import gulp.cli.OptionParser;
import gulp.cli.UsageException;
import gulp.linux.PacketFanout;
import gulp.pipeline.RoleRunner;
import gulp.testing.GulpProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code --fanout} and {@code --fanout-mode} parse to, what they refuse, and where the pairs go. */
class FanoutSettingsTest {
    private static RunSettings conclude(String... args) throws UsageException, SetupException {
        return RunSettings.conclude(OptionParser.parse(args));
    }

    private static String refusal(String... args) {
        SetupException e = assertThrows(SetupException.class, () -> conclude(args));
        assertEquals(Outcome.Status.BAD_USAGE, e.status());
        return e.getMessage();
    }

    @Test
    void fanoutOutOfRangeOrAnUnknownModeIsAUsageError() {
        assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-i", "lo", "--fanout", "0"}));
        assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-i", "lo", "--fanout", "65"}));
        assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-i", "lo", "--fanout", "two"}));
        UsageException mode = assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-i", "lo", "--fanout-mode", "rr"}));
        assertTrue(mode.getMessage().contains("hash, lb, cpu, rollover, qm"), mode.getMessage());
    }

    @Test
    void fanoutRefusesStdoutSeveralInterfacesAnyFilesAndOnePairsCpus() {
        assertTrue(refusal("-i", "lo", "--fanout", "2").contains("give -o DIR"));
        assertTrue(refusal("-i", "lo,gtnone0", "--fanout", "2", "-o", "/tmp/x").contains("one -i IFACE"));
        assertTrue(refusal("-i", "any", "--fanout", "2", "-o", "/tmp/x").contains("one -i IFACE"));
        assertTrue(refusal("-i", "-", "--fanout", "2", "-o", "/tmp/x").contains("live capture"));
        assertTrue(refusal("-i", "lo", "--fanout", "2", "-o", "/tmp/x", "--reader-cpu", "0").contains("taskset"));
        assertTrue(refusal("-i", "lo", "--fanout", "2", "-o", "/tmp/x", "--name-template", "cap_%Y").contains("%{name}"));
        assertTrue(refusal("-i", "lo", "--fanout", "2", "--kafka", "127.0.0.1:9", "--kafka-topic", "t").contains("--kafka"));
    }

    @Test
    void fanoutOneIsTodaysRunAndHashIsTheDefaultMode() throws Exception {
        RunSettings one = conclude("-i", "lo", "-o", "/tmp/x", "--fanout", "1");
        assertEquals(List.of(), one.pairThreads());
        assertEquals(FanoutMode.HASH, one.options().fanoutMode);
        assertEquals(PacketFanout.FLAG_ROLLOVER | PacketFanout.FLAG_DEFRAG, FanoutMode.HASH.flags());
        assertEquals(3, conclude("-i", "lo", "-o", "/tmp/x", "--fanout", "3", "--fanout-mode", "lb").pairThreads().size());
    }

    @Test
    void liveSettingsKeepTheAllowedCpuCountForTheStartUpLineAndOthersHaveNone() throws Exception {
        assertEquals(gulp.linux.Libc.current().allowedCpus().length,
                conclude("-i", "lo", "-o", "/tmp/x", "--fanout", "2").allowedCpuCount());
        assertEquals(0, conclude("-i", "-", "-o", "/tmp/x").allowedCpuCount());
    }

    @Test
    void pairsGetTwoCpusEachWhenThereAreEnoughElseShareOneFromTheEnd() {
        List<RoleRunner.Plan> roomy = RunSettings.fanoutThreads(2, new int[] {0, 1, 2, 3, 4}, false);
        assertEquals(new RoleRunner.Plan(4, 3, true, false), roomy.get(0));
        assertEquals(new RoleRunner.Plan(2, 1, true, false), roomy.get(1));
        List<RoleRunner.Plan> tight = RunSettings.fanoutThreads(3, new int[] {0, 1}, false);
        assertEquals(new RoleRunner.Plan(1, 1, true, false), tight.get(0));
        assertEquals(new RoleRunner.Plan(0, 0, true, false), tight.get(1));
        assertEquals(new RoleRunner.Plan(1, 1, true, false), tight.get(2));
        assertTrue(RunSettings.describePlacement(tight, 2).contains("share a CPU"));
        assertEquals(-1, RunSettings.fanoutThreads(2, new int[0], false).get(1).readerCpu());
    }

    @Test
    void eachPairGetsItsShareOfTheRingsAndItsOwnNamePart() throws Exception {
        assertEquals(16L << 20, FanoutRun.share(64L << 20, 4, 1 << 20, 1 << 20));
        assertEquals(1L << 20, FanoutRun.share(1L << 20, 4, 1 << 20, 1 << 20));
        assertEquals("pcap-p1-", Outputs.pairPrefix(OptionParser.parse(new String[] {"-i", "lo", "-o", "/tmp/x"}), 1));
        assertEquals("pcap-p0", Outputs.pairPrefix(OptionParser.parse(new String[] {"-i", "lo", "-o", "/tmp/x", "-t"}), 0));
    }

    @TempDir
    Path temp;

    @Test
    void gulpRefusesFanoutToStdoutAndABadCountOrModeWithOneLineAndStatusTwo() throws Exception {
        Path out = temp.resolve("out.pcap");
        for (String[] args : new String[][] {{"-i", "lo", "--fanout", "2"}, {"-i", "lo", "--fanout", "0", "-o", "d"},
                {"-i", "lo", "--fanout", "2", "--fanout-mode", "random", "-o", "d"}}) {
            GulpProcess.Result result = GulpProcess.run(null, out, args);
            assertEquals(2, result.status(), result.stderr());
            assertTrue(result.stderr().startsWith("gulp: "), result.stderr());
            assertTrue(result.stderr().contains("fanout"), result.stderr());
        }
        assertEquals(0, Files.size(out), "nothing written to stdout");
        GulpProcess.Result stdout = GulpProcess.run(null, out, "-i", "lo", "--fanout", "2");
        assertEquals(1, stdout.stderr().strip().lines().count(), stdout.stderr());
    }
}
