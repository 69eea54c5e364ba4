package gulp.run;

import gulp.testing.Frames;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --fanout N}, end to end on a veth pair between two namespaces of our own: a burst of
 * numbered frames in many UDP flows, gulp with N sockets in one fanout group, each pair's files
 * read back: every frame once across the pairs, each flow in one pair with hash mode, and the
 * counts equal to what the interface received.
 */
class LiveFanoutTest {
    private static final int FLOWS = 64;
    private static final int FRAMES = 20_000;
    private static final int FIRST_PORT = 20_000;
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();

    @TempDir
    Path temp;

    /** Port of frame {@code n}: the flows take turns. */
    private static int port(int n) {
        return FIRST_PORT + n % FLOWS;
    }

    /** The frames of one capture run: sequence number to the pair whose files hold it (asserts each once). */
    private Map<Integer, Integer> capture(Path dir, int pairs, String... more) throws Exception {
        Files.createDirectories(dir);
        String[] args = new String[6 + more.length];
        System.arraycopy(new String[] {"--fanout", Integer.toString(pairs), "-o", dir.toString(), "-r", "16"}, 0, args, 0, 6);
        System.arraycopy(more, 0, args, 6, more.length);
        long rx = bed.captureStatistic("rx_packets");
        Map<String, Long> counters;
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, null, temp.resolve("gulp-" + dir.getFileName() + ".err"), args)) {
            String startup = gulp.stderrText();
            assertTrue(startup.contains(pairs + " sockets in fanout group"), startup);
            assertTrue(startup.contains("pair " + (pairs - 1) + ":"), startup);
            long sent = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, FRAMES,
                    n -> Frames.numbered(n, Frames.mixedLength(n), port(n)), 0, new AtomicLong()).get(90, TimeUnit.SECONDS);
            assertEquals(FRAMES, sent);
            gulp.stopAfterDrain();
            counters = gulp.counters();
        }
        long delivered = bed.captureStatistic("rx_packets") - rx;
        Map<Integer, Integer> pairOf = new HashMap<>();
        long records = 0;
        for (int k = 0; k < pairs; k++) {
            String prefix = "pcap-p" + k + "-";
            List<Path> files = PcapFiles.outputFiles(dir).stream()
                    .filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            for (Path file : files) {
                for (PcapFiles.Record r : PcapFiles.read(file).records()) {
                    records++;
                    int sequence = Frames.sequenceOf(r.data(), 0, r.data().length);
                    if (sequence >= 0) {
                        Integer before = pairOf.put(sequence, k);
                        assertFalse(before != null, "frame " + sequence + " in pair " + before + " and pair " + k);
                    }
                }
            }
        }
        assertEquals(FRAMES, pairOf.size(), "test frames across the pairs' files");
        assertEquals(delivered, records, "records in the files = what the interface received");
        assertEquals(delivered, counters.get("packets captured"), counters::toString);
        assertEquals(delivered, counters.get("records written"), counters::toString);
        assertEquals(delivered, counters.get("packets received by the kernel"), counters::toString);
        assertEquals(0, counters.get("packets dropped by the kernel"), counters::toString);
        return pairOf;
    }

    @Test
    void hashFanoutCapturesEveryFrameOnceAcrossThePairsAndKeepsEachFlowInOnePair() throws Exception {
        Path stats = temp.resolve("stats.json");
        Map<Integer, Integer> pairOf = capture(temp.resolve("hash"), 2, "--stats-json", stats.toString());
        List<String> lines = Files.readAllLines(stats);
        String last = lines.getLast();
        assertTrue(last.contains("\"final\":true"), last);
        var written = java.util.regex.Pattern.compile("\"gulp_pair_written_records_total\":\\{\"0\":(\\d+),\"1\":(\\d+)}")
                .matcher(last);
        assertTrue(written.find(), last);
        long test0 = pairOf.values().stream().filter(k -> k == 0).count();
        assertTrue(Long.parseLong(written.group(1)) >= test0, last);
        assertEquals(FRAMES - test0, pairOf.values().stream().filter(k -> k == 1).count());
        assertTrue(Long.parseLong(written.group(2)) >= FRAMES - test0, last);
        var kernelRing = java.util.regex.Pattern.compile("\"gulp_pair_kernel_ring_capacity_bytes\":\\{\"0\":(\\d+),\"1\":(\\d+)}")
                .matcher(last);
        assertTrue(kernelRing.find() && Long.parseLong(kernelRing.group(1)) > 0, last);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"gulp_pair_kernel_ring_used_bytes\":{\"0\":")), last);
        Map<Integer, Integer> flowPair = new HashMap<>();
        Set<Integer> pairsUsed = new HashSet<>();
        for (Map.Entry<Integer, Integer> e : pairOf.entrySet()) {
            Integer before = flowPair.put(port(e.getKey()), e.getValue());
            assertTrue(before == null || before.equals(e.getValue()), "flow " + port(e.getKey()) + " in two pairs");
            pairsUsed.add(e.getValue());
        }
        assertEquals(FLOWS, flowPair.size());
        assertEquals(2, pairsUsed.size(), "64 flows all hashed to one pair");
    }

    @Test
    void roundRobinFanoutOverThreePairsCapturesEveryFrameOnceAndRotatesEachPairsFilesThroughZ() throws Exception {
        Path log = temp.resolve("z.log");
        Path script = Files.writeString(temp.resolve("z.sh"), "#!/bin/sh\ntest -f \"$1\" && echo \"$1\" >> " + log + "\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path dir = temp.resolve("lb");
        Map<Integer, Integer> pairOf = capture(dir, 3, "--fanout-mode", "lb", "--rotate-packets", "2000",
                "-Z", script.toString());
        assertEquals(3, new HashSet<>(pairOf.values()).size());
        List<String> done = new java.util.ArrayList<>(Files.readAllLines(log));
        done.sort(null);
        List<String> files = PcapFiles.outputFiles(dir).stream().map(Path::toString).toList();
        assertEquals(files, done, "-Z ran once on every finished file of every pair");
        for (int k = 0; k < 3; k++) {
            String prefix = "pcap-p" + k + "-";
            assertTrue(files.stream().filter(f -> Path.of(f).getFileName().toString().startsWith(prefix)).count() >= 3,
                    "pair " + k + " rotated: " + files);
        }
    }

    @Test
    void aStopInTheMiddleOfABurstLosesNothingAnyPairsSocketDelivered() throws Exception {
        Path dir = temp.resolve("stop");
        Files.createDirectories(dir);
        AtomicLong progress = new AtomicLong();
        Map<String, Long> counters;
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, null, temp.resolve("gulp-stop.err"),
                "--fanout", "2", "-o", dir.toString(), "-r", "16")) {
            var sending = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 200_000,
                    n -> Frames.numbered(n, Frames.mixedLength(n), port(n)), 20_000, progress);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (progress.get() < 5_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            gulp.signal("INT"); // while frames still arrive
            assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
            counters = gulp.counters();
            sending.get(90, TimeUnit.SECONDS);
        }
        assertTrue(progress.get() > counters.get("packets received by the kernel"), "the stop came after the burst");
        Set<Integer> seen = new HashSet<>();
        long records = 0;
        for (Path file : PcapFiles.outputFiles(dir)) {
            for (PcapFiles.Record r : PcapFiles.read(file).records()) {
                records++;
                assertTrue(seen.add(Frames.sequenceOf(r.data(), 0, r.data().length)), "a frame twice");
            }
        }
        assertTrue(records > 0);
        assertEquals(counters.get("packets received by the kernel"), records, counters::toString);
        assertEquals(records, counters.get("records written"), counters::toString);
    }
}
