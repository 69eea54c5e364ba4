package gulp.decap;

import gulp.testing.EncapsulatedTraffic;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scapy-built tunnels of {@link GeneratedTrafficDecapTest}, re-framed as Linux cooked v1/v2 and
 * raw IP captures (by a separate script, as libpcap writes them): every packet decapsulates to
 * exactly what its Ethernet original gives.
 */
class CookedAndRawOuterDecapTest {
    static Path generated;

    @BeforeAll
    static void generate(@TempDir Path dir) throws Exception {
        EncapsulatedTraffic.generate(dir);
        EncapsulatedTraffic.relink(dir);
        generated = dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sll", "sll2", "raw", "ipv4", "ipv6"})
    void everyPacketDecapsulatesAsItsEthernetOriginal(String name) throws Exception {
        List<PcapFiles.Frame> ethernet = PcapFiles.ethernetFrames(generated.resolve("outer.pcap"));
        PcapFiles.Capture relinked = PcapFiles.read(generated.resolve(name + ".pcap"));
        List<PcapFiles.Frame> frames = relinked.frames();
        List<String> index = Files.readAllLines(generated.resolve(name + ".index"));
        assertEquals(frames.size(), index.size());
        assertTrue(frames.size() > 100, name + ": " + frames.size());
        OuterLink link = OuterLink.of(relinked.linkType());
        assertNotNull(link, "link type " + relinked.linkType());
        Decapsulator fromEthernet = new Decapsulator(DecapConfig.defaults());
        Decapsulator decap = new Decapsulator(DecapConfig.defaults(), link);
        DecapResult want = new DecapResult();
        DecapResult got = new DecapResult();
        int inner = 0;
        for (int i = 0; i < frames.size(); i++) {
            PcapFiles.Frame original = ethernet.get(Integer.parseInt(index.get(i)));
            PcapFiles.Frame f = frames.get(i);
            DecapOutcome expected = fromEthernet.decapsulate(MemorySegment.ofArray(original.data()), 0, original.caplen(),
                    original.wirelen(), original.tsNanos(), want);
            DecapOutcome outcome = decap.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), got);
            String where = name + " frame " + (i + 1);
            assertEquals(expected, outcome, where + " " + got.skipReason());
            if (outcome == DecapOutcome.INNER) {
                assertEquals(want.kind(), got.kind(), where);
                assertEquals(want.id(), got.id(), where);
                PcapFiles.Frame wantRecord = TestFrames.record(want);
                PcapFiles.Frame gotRecord = TestFrames.record(got);
                assertArrayEquals(wantRecord.data(), gotRecord.data(), where);
                assertEquals(wantRecord.wirelen(), gotRecord.wirelen(), where);
                inner++;
            }
        }
        assertTrue(inner > 100, name + ": " + inner + " inner frames");
        assertEquals(0, decap.counters().total(DecapCounters.Group.SKIPPED));
    }

    @ParameterizedTest
    @ValueSource(ints = {105, 113 | 0x04000000, 0, 12})
    void onlyTheLinkTypesWithAnIpLayerAreRead(int linkType) {
        if (linkType == (113 | 0x04000000)) {
            assertEquals(OuterLink.LINUX_SLL, OuterLink.of(linkType), "the upper bits are FCS flags, as libpcap reads them");
        } else {
            assertNull(OuterLink.of(linkType));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sll", "sll2", "raw"})
    void aPacketTooShortForItsLinkHeaderIsNotEncapsulation(String name) {
        OuterLink link = switch (name) {
            case "sll" -> OuterLink.LINUX_SLL;
            case "sll2" -> OuterLink.LINUX_SLL2;
            default -> OuterLink.RAW_IP;
        };
        Decapsulator decap = new Decapsulator(DecapConfig.defaults(), link);
        DecapResult result = new DecapResult();
        byte[] shortPacket = new byte[link.headerLength > 0 ? link.headerLength - 1 : 0];
        assertEquals(DecapOutcome.OTHER, decap.decapsulate(MemorySegment.ofArray(shortPacket), 0, shortPacket.length,
                shortPacket.length, 0, result));
        byte[] notIp = new byte[40];
        notIp[0] = 0x10; // raw: IP version 1; cooked: protocol 0x1000 / 0x0000
        assertEquals(DecapOutcome.OTHER, decap.decapsulate(MemorySegment.ofArray(notIp), 0, 40, 40, 0, result));
    }
}
