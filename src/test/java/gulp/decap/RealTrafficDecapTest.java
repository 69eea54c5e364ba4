package gulp.decap;

import gulp.decap.DecapCounters.Counter;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real mirrored traffic from Zeek's test suite: every frame decapsulates to exactly the inner frame
 * tshark finds in it (position, length, bytes), and tshark reads our output as it read the inner
 * layers of the input.
 */
class RealTrafficDecapTest {
    /** Fields compared between tshark's reading of the input's inner layers and of our output. */
    static final List<String> FIELDS = List.of("eth.src", "eth.dst", "eth.type", "vlan.id", "ip.src", "ip.dst",
            "ip.len", "ip.id", "ip.checksum", "ipv6.src", "ipv6.dst", "ipv6.plen", "udp.srcport", "udp.dstport",
            "udp.length", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.len", "icmp.checksum", "arp.src.proto_ipv4",
            "vxlan.vni", "geneve.vni", "dns.qry.name");

    @TempDir Path temp;

    @BeforeAll
    static void needTshark() { assumeTrue(Tshark.available(), "tshark not installed"); }

    @ParameterizedTest
    @ValueSource(strings = {"erspan.pcap", "erspanI.pcap", "erspanII.pcap", "erspanIII.pcap", "gre-erspan3-dot1q.pcap",
            "gre-sample.pcap", "vxlan.pcap", "vxlan-encapsulated-http.pcap", "vxlan-triple-v2.pcap", "geneve.pcap",
            "geneve-many-options.pcap"})
    void everyFrameDecapsulatesToTheInnerFrameTsharkSees(String name) throws Exception {
        Path file = PcapFiles.ZEEK.resolve(name);
        List<PcapFiles.Frame> frames = PcapFiles.ethernetFrames(file);
        List<Tshark.Packet> input = Tshark.dissect(file);
        assertEquals(frames.size(), input.size());

        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        List<PcapFiles.Frame> written = new ArrayList<>();
        List<Integer> writtenFrom = new ArrayList<>();
        Map<Integer, DecapOutcome> outcomes = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(70_000);
            for (int i = 0; i < frames.size(); i++) {
                PcapFiles.Frame f = frames.get(i);
                long at = 3; // deliberately not at the segment start
                MemorySegment.copy(f.data(), 0, buffer, ValueLayout.JAVA_BYTE, at, f.caplen());
                DecapOutcome outcome = decap.decapsulate(buffer, at, f.caplen(), f.wirelen(), f.tsNanos(), result);
                outcomes.put(i, outcome);
                if (outcome == DecapOutcome.INNER) {
                    written.add(TestFrames.record(result));
                    writtenFrom.add(i);
                }
                assertEquals(expectedOutcome(input.get(i)), outcome, name + " frame " + (i + 1) + " " + result.skipReason());
            }
        }
        Path out = temp.resolve("inner-" + name);
        PcapFiles.writeFrames(out, written);
        List<Tshark.Packet> output = written.isEmpty() ? List.of() : Tshark.dissect(out);
        assertEquals(written.size(), output.size());

        for (int j = 0; j < written.size(); j++) {
            int i = writtenFrom.get(j);
            String where = name + " frame " + (i + 1);
            Tshark.Packet in = input.get(i);
            Tshark.Packet mine = output.get(j);
            int encap = encapsulationLayer(in);
            Map<String, Integer> outer = new HashMap<>();
            for (int l = 0; l <= encap; l++) outer.merge(in.layers().get(l).name(), 1, Integer::sum);
            for (String field : FIELDS) {
                List<String> inner = in.values(field);
                int drop = Math.min(inner.size(), outer.getOrDefault(field.substring(0, field.indexOf('.')), 0));
                assertEquals(inner.subList(drop, inner.size()), mine.values(field), where + " " + field);
            }
            assertTrue(in.first("frame.protocols").endsWith(":" + mine.first("frame.protocols")), where);

            // Bytes and lengths: from where tshark put the inner Ethernet header to the end of the outer datagram.
            int innerPos = in.layers().get(encap + 1).pos();
            byte[] source;
            int end;
            String reassembled = in.first("ip.reassembled.data");
            if (reassembled != null) {
                source = Tshark.colonHex(reassembled);
                end = source.length;
            } else {
                source = frames.get(i).data();
                Tshark.Layer ip = layer(in, "ip");
                end = ip.pos() + Integer.parseInt(in.first("ip.len"));
            }
            PcapFiles.Frame w = written.get(j);
            assertEquals(end - innerPos, w.wirelen(), where + " inner length");
            assertArrayEquals(Arrays.copyOfRange(source, innerPos, Math.min(end, source.length)), w.data(), where + " inner bytes");
            assertEquals(frames.get(i).tsNanos(), w.tsNanos(), where);
        }

        long fragments = input.stream().filter(RealTrafficDecapTest::isOuterFragment).count();
        assertEquals(fragments, decap.counters().get(Counter.FRAGMENT_HELD) + decap.counters().get(Counter.FRAGMENT_REASSEMBLED), name);
        decap.finish();
        assertEquals(0, decap.counters().get(Counter.FRAGMENT_GIVEN_UP_AT_END) + decap.counters().get(Counter.FRAGMENT_INCONSISTENT));
        StringBuilder summary = new StringBuilder();
        decap.appendSummary(summary);
        System.out.println("== " + name + "\n" + summary);
    }

    @Test
    void erspanPcapHasFiftyFiveOuterFragmentsAllReassembled() throws Exception {
        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        int inner = 0;
        for (PcapFiles.Frame f : PcapFiles.ethernetFrames(PcapFiles.ZEEK.resolve("erspan.pcap"))) {
            if (decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result) == DecapOutcome.INNER) inner++;
        }
        long held = decap.counters().get(Counter.FRAGMENT_HELD);
        long reassembled = decap.counters().get(Counter.FRAGMENT_REASSEMBLED);
        assertEquals(55, held + reassembled);
        assertEquals(287 - held, inner);
        assertEquals(0, decap.fragmentsInFlight());
    }

    @Test
    void plainGreIsSkippedAndCountedNeverMangled() throws Exception {
        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        List<PcapFiles.Frame> frames = PcapFiles.ethernetFrames(PcapFiles.ZEEK.resolve("gre-sample.pcap"));
        for (PcapFiles.Frame f : frames) {
            byte[] before = f.data().clone();
            assertEquals(DecapOutcome.SKIPPED, decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result));
            assertEquals(Counter.GRE_NOT_BRIDGING, result.skipReason());
            assertArrayEquals(before, f.data());
        }
        assertEquals(frames.size(), decap.counters().get(Counter.GRE_NOT_BRIDGING));
    }

    static boolean isOuterFragment(Tshark.Packet p) {
        return "1".equals(p.first("ip.flags.mf")) || (p.first("ip.frag_offset") != null && !"0".equals(p.first("ip.frag_offset")));
    }

    /** Index of the layer after which the inner frame starts, or -1. */
    static int encapsulationLayer(Tshark.Packet p) {
        List<Tshark.Layer> layers = p.layers();
        for (int l = 0; l < layers.size() - 1; l++) {
            String n = layers.get(l).name();
            if (Set.of("erspan", "vxlan", "geneve").contains(n)) return l;
            if (n.equals("gre") && layers.get(l + 1).name().equals("eth")) return l;
        }
        return -1;
    }

    static DecapOutcome expectedOutcome(Tshark.Packet p) {
        if (encapsulationLayer(p) >= 0) return DecapOutcome.INNER;
        if (isOuterFragment(p)) return DecapOutcome.HELD;
        if (p.count("gre") > 0) return DecapOutcome.SKIPPED;
        return DecapOutcome.OTHER;
    }

    static Tshark.Layer layer(Tshark.Packet p, String name) {
        for (Tshark.Layer l : p.layers()) if (l.name().equals(name)) return l;
        throw new AssertionError("no " + name + " layer");
    }

    static byte[] readAll(Path p) throws Exception { return Files.readAllBytes(p); }
}
