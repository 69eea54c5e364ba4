package gulp.run;

import gulp.capture.ReceiveCpus;
import gulp.testing.GulpInNamespace;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where a live capture's reader and writer go: off the CPUs that take the interface's receive work, where there is room. */
class LivePlacementTest {
    @TempDir
    Path temp;

    private static Function<List<String>, Map<String, ReceiveCpus.Found>> receiveOn(Map<String, int[]> cpus) {
        return names -> {
            Map<String, ReceiveCpus.Found> found = new HashMap<>();
            for (String name : names) {
                int[] list = cpus.get(name);
                BitSet set = new BitSet();
                for (int cpu : list == null ? new int[0] : list) {
                    set.set(cpu);
                }
                found.put(name, list == null ? ReceiveCpus.Found.UNKNOWN : new ReceiveCpus.Found(set, "RPS"));
            }
            return found;
        };
    }

    private static LivePlacement place(int reader, int writer, List<String> interfaces, int[] allowed, Map<String, int[]> receive) {
        return LivePlacement.of(reader, writer, false, interfaces, allowed, receiveOn(receive));
    }

    @Test
    void withNothingKnownReaderAndWriterTakeTheLastTwoAllowedCpus() {
        LivePlacement p = place(-1, -1, List.of("eth1"), new int[] {0, 1, 2, 3}, Map.of());
        assertEquals(3, p.plan().readerCpu());
        assertEquals(2, p.plan().writerCpu());
        assertEquals("", p.note());
    }

    @Test
    void onTwoCpusReaderAndWriterShareTheOneThatTakesNoReceiveWork() {
        LivePlacement p = place(-1, -1, List.of("eth1"), new int[] {0, 1}, Map.of("eth1", new int[] {1}));
        assertEquals(0, p.plan().readerCpu());
        assertEquals(0, p.plan().writerCpu());
        assertEquals(" (cpu 1 takes eth1's receive work, by RPS)", p.note());
    }

    @Test
    void withRoomReaderAndWriterGetCpusOfTheirOwnAwayFromTheReceiveWork() {
        LivePlacement p = place(-1, -1, List.of("eth1", "eth2"), new int[] {0, 1, 2, 3},
                Map.of("eth1", new int[] {3}, "eth2", new int[] {2}));
        assertEquals(1, p.plan().readerCpu());
        assertEquals(0, p.plan().writerCpu());
        assertTrue(p.note().contains("cpu 2,3 take eth1+eth2's receive work"), p.note());
    }

    @Test
    void receiveWorkOnEveryAllowedCpuOrOnNoneOfThemLeavesTheUsualPlacement() {
        LivePlacement all = place(-1, -1, List.of("eth1"), new int[] {0, 1}, Map.of("eth1", new int[] {0, 1}));
        assertEquals(1, all.plan().readerCpu());
        assertEquals(0, all.plan().writerCpu());
        assertEquals("", all.note());
        LivePlacement elsewhere = place(-1, -1, List.of("eth1"), new int[] {2, 3}, Map.of("eth1", new int[] {0}));
        assertEquals(3, elsewhere.plan().readerCpu());
        assertEquals("", elsewhere.note());
    }

    @Test
    void givenCpusAreKeptAndTheOtherThreadAvoidsTheReceiveWork() {
        LivePlacement reader = place(1, -1, List.of("eth1"), new int[] {0, 1, 2}, Map.of("eth1", new int[] {2}));
        assertEquals(1, reader.plan().readerCpu());
        assertEquals(0, reader.plan().writerCpu());
        LivePlacement writer = place(-1, 2, List.of("eth1"), new int[] {0, 1, 2}, Map.of("eth1", new int[] {2}));
        assertEquals(1, writer.plan().readerCpu());
        assertEquals(2, writer.plan().writerCpu());
        LivePlacement both = place(2, 2, List.of("eth1"), new int[] {0, 1, 2}, Map.of("eth1", new int[] {2}));
        assertEquals(2, both.plan().readerCpu());
        assertEquals("", both.note());
    }

    @Test
    void theRingFaultInRunsOnTheWritersCpuWhenItIsApartOrFreeOfReceiveWork() {
        assertEquals(2, place(-1, -1, List.of("eth1"), new int[] {0, 1, 2, 3}, Map.of()).helperCpu());
        assertEquals(0, place(-1, -1, List.of("eth1"), new int[] {0, 1}, Map.of("eth1", new int[] {1})).helperCpu(),
                "reader and writer share the free CPU: the fault-in goes there too, not to the softirq's");
        assertEquals(-1, place(1, 1, List.of("eth1"), new int[] {0, 1}, Map.of()).helperCpu(),
                "a reader and writer pinned together by hand: the fault-in left to the scheduler");
    }

    @Test
    void fanoutTakesTheCpusFreeOfReceiveWorkFirst() {
        LivePlacement.Order order = LivePlacement.freeLast(List.of("eth1"), new int[] {0, 1, 2, 3},
                receiveOn(Map.of("eth1", new int[] {2, 3})));
        assertArrayEquals(new int[] {2, 3, 0, 1}, order.cpus());
        assertEquals(" (cpu 2,3 take eth1's receive work, by RPS)", order.note());
        assertEquals(new gulp.pipeline.RoleRunner.Plan(1, 0, true, false),
                RunSettings.fanoutThreads(2, order.cpus(), false).getFirst());
        LivePlacement.Order everywhere = LivePlacement.freeLast(List.of("eth1"), new int[] {0, 1},
                receiveOn(Map.of("eth1", new int[] {0, 1})));
        assertArrayEquals(new int[] {0, 1}, everywhere.cpus());
        assertEquals("", everywhere.note());
    }

    @Test
    void oneAllowedCpuPinsNothing() {
        LivePlacement p = place(-1, -1, List.of("eth1"), new int[] {0}, Map.of("eth1", new int[] {0}));
        assertEquals(-1, p.plan().readerCpu());
        assertEquals(-1, p.plan().writerCpu());
    }

    @Test
    void aCaptureOfAVethWhoseReceiveWorkRpsSendsToTheLastCpuPutsItsReaderElsewhere() throws Exception {
        int[] allowed = gulp.linux.Libc.current().allowedCpus();
        assumeTrue(allowed.length >= 2, "needs two CPUs");
        int last = allowed[allowed.length - 1];
        try (VethPair bed = VethPair.create()) {
            String mask = Long.toHexString(1L << last); // the test machines have fewer than 32 CPUs
            Tools.check("ip", "netns", "exec", bed.captureNamespace, "sh", "-c",
                    "echo " + mask + " > /sys/class/net/" + bed.captureInterface + "/queues/rx-0/rps_cpus");
            Path err = temp.resolve("err.txt");
            try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, temp.resolve("out.pcap"), err,
                    "-i", bed.captureInterface, "--duration", "0.3", "-B", "16", "-r", "16")) {
                assertEquals(0, gulp.waitFor(60), gulp::stderrOrReason);
            }
            String line = Files.readAllLines(err).stream().filter(l -> l.contains("listening on")).findFirst()
                    .orElseThrow(() -> new AssertionError("no start-up line"));
            assertTrue(line.contains("(cpu " + last + " takes " + bed.captureInterface + "'s receive work, by RPS)"), line);
            assertTrue(!line.contains("reader on cpu " + last + ","), line);
        }
    }
}
