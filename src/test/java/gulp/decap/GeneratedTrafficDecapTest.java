package gulp.decap;

import gulp.decap.DecapCounters.Counter;
import gulp.testing.PcapFiles;
import gulp.testing.EncapsulatedTraffic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames built by scapy (an independent implementation of every header): each decapsulates to
 * exactly the frame scapy put inside; and ERSPAN sequence gaps made by dropping chosen packets
 * from a scapy stream are reported as they were made.
 */
class GeneratedTrafficDecapTest {
    static Path generated;

    @BeforeAll
    static void generate(@TempDir Path dir) throws Exception {
        EncapsulatedTraffic.generate(dir);
        generated = dir;
    }

    @Test
    void everyScapyFrameDecapsulatesToExactlyTheFrameInside() throws Exception {
        List<PcapFiles.Frame> outer = PcapFiles.ethernetFrames(generated.resolve("outer.pcap"));
        List<PcapFiles.Frame> inner = PcapFiles.ethernetFrames(generated.resolve("inner.pcap"));
        List<String> manifest = Files.readAllLines(generated.resolve("manifest.txt"));
        assertEquals(outer.size(), manifest.size());
        assertTrue(outer.size() > 250);

        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        Set<String> seen = new HashSet<>();
        int next = 0;
        for (int i = 0; i < outer.size(); i++) {
            PcapFiles.Frame f = outer.get(i);
            String[] expected = manifest.get(i).split(" ");
            DecapOutcome outcome = decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result);
            String where = "frame " + (i + 1) + " (" + manifest.get(i) + ")";
            if (expected[0].equals("held")) {
                assertEquals(DecapOutcome.HELD, outcome, where);
                continue;
            }
            assertEquals(DecapOutcome.INNER, outcome, where + " " + result.skipReason());
            assertEquals(EncapKind.valueOf(expected[1]), result.kind(), where);
            assertEquals(Integer.parseInt(expected[2]), result.id(), where);
            PcapFiles.Frame want = inner.get(next++);
            PcapFiles.Frame got = TestFrames.record(result);
            assertArrayEquals(want.data(), got.data(), where);
            assertEquals(want.data().length, got.wirelen(), where);
            assertEquals(f.tsNanos(), got.tsNanos(), where);
            seen.add(result.kind() + (result.kind() == EncapKind.ERSPAN ? "-" + result.erspanType() : "")
                    + (result.hasSyntheticPrefix() ? "-ip" : "") + (result.reassembled() ? "-reassembled" : ""));
        }
        assertEquals(inner.size(), next);
        assertTrue(seen.containsAll(Set.of("ERSPAN-1", "ERSPAN-2", "ERSPAN-3", "ERSPAN-3-ip", "GRE", "VXLAN", "VXLAN-ip",
                "GENEVE", "GENEVE-ip", "ERSPAN-2-reassembled", "VXLAN-reassembled")), seen.toString());
        assertEquals(0, decap.counters().total(DecapCounters.Group.SKIPPED));
        assertEquals(0, decap.fragmentsInFlight());
    }

    @Test
    void droppedErspanPacketsAreReportedAsGapsPerSession() throws Exception {
        List<PcapFiles.Frame> stream = PcapFiles.ethernetFrames(generated.resolve("stream.pcap"));
        // Session 7 packets are the frames whose ERSPAN session is 7; drop chosen ones by position in that session.
        Decapsulator probe = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        List<PcapFiles.Frame> session7 = new ArrayList<>();
        List<PcapFiles.Frame> session9 = new ArrayList<>();
        for (PcapFiles.Frame f : stream) {
            probe.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result);
            (result.id() == 7 ? session7 : session9).add(f);
        }
        assertEquals(3000, session7.size());
        assertEquals(100, session9.size());

        // Session 7 (wraps 2^32 at position 296): drop 1 at 10, 5 at 290..294 (just before the wrap),
        // 3 at 296..298 (just after it), 1000 at 1500..2499 — 4 gaps, 1009 missing.
        Set<Integer> drop = new HashSet<>(List.of(10));
        for (int k = 290; k <= 294; k++) drop.add(k);
        for (int k = 296; k <= 298; k++) drop.add(k);
        for (int k = 1500; k <= 2499; k++) drop.add(k);
        // Also reorder: swap 600 and 610 (within the window, not loss), and duplicate 700.
        List<PcapFiles.Frame> sent = new ArrayList<>();
        for (int k = 0; k < session7.size(); k++) {
            if (k < 100) sent.add(session9.get(k));
            if (drop.contains(k)) continue;
            int from = k == 600 ? 610 : k == 610 ? 600 : k;
            sent.add(session7.get(from));
            if (k == 700) sent.add(session7.get(k));
        }
        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        for (PcapFiles.Frame f : sent) {
            assertEquals(DecapOutcome.INNER, decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result));
        }
        SequenceGapTracker gaps = decap.sequenceGaps();
        assertEquals(4, gaps.gaps(7));
        assertEquals(1009, gaps.missing(7));
        assertEquals(1, gaps.duplicates(7));
        assertEquals(10, gaps.reordered(7)); // 601..609 and 600 arrive after 610
        assertEquals(0, gaps.gaps(9));
        assertEquals(0, gaps.missing(9));
        StringBuilder summary = new StringBuilder();
        gaps.appendSummary(summary);
        assertTrue(summary.toString().contains("session 7: 4 gaps, 1009 packets missing upstream"), summary.toString());
        assertTrue(summary.toString().contains("session 9: 0 gaps, 0 packets missing upstream"), summary.toString());
    }

    @Test
    void erspanSessionFilterKeepsOnlyTheChosenSessions() throws Exception {
        List<PcapFiles.Frame> stream = PcapFiles.ethernetFrames(generated.resolve("stream.pcap"));
        Decapsulator decap = new Decapsulator(DecapConfig.builder().erspanSessions(DecapConfig.parseErspanSessions("9")).build());
        DecapResult result = new DecapResult();
        int inner = 0;
        for (PcapFiles.Frame f : stream) {
            if (decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result) == DecapOutcome.INNER) {
                assertEquals(9, result.id());
                inner++;
            }
        }
        assertEquals(100, inner);
        assertEquals(3000, decap.counters().get(Counter.SESSION_FILTERED));
    }
}
