package gulp.extract;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficSummaryTest {
    /** Ethernet/IPv4/{@code protocol} with ports, 64 bytes. */
    private static MemorySegment ipv4(int source, int destination, int protocol, int sourcePort, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putShort(12, (short) 0x0800).put(14, (byte) 0x45).put(23, (byte) protocol).putInt(26, source).putInt(30, destination)
                .putShort(34, (short) sourcePort).putShort(36, (short) destinationPort);
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void anIpv4HeaderWithOptionsHasItsPortsReadAfterTheOptionsAndACookedLinkItsPacketsRead() {
        ByteBuffer b = ByteBuffer.allocate(72);
        b.putShort(12, (short) 0x0800).put(14, (byte) 0x47).put(23, (byte) 17).putInt(26, 0x0A000001).putInt(30, 0x0A000002)
                .putShort(42, (short) 5353).putShort(44, (short) 53); // 8 bytes of options, then the ports
        TrafficSummary summary = new TrafficSummary(1);
        summary.add(MemorySegment.ofArray(b.array()), 0, 72);
        assertTrue(summary.mayHavePort(5353) && summary.mayHavePort(53));
        assertFalse(summary.mayHavePort(0)); // the options' bytes are not ports
        assertTrue(summary.mayHaveV4(0x0A000001) && summary.mayHaveV4(0x0A000002));

        ByteBuffer cooked = ByteBuffer.allocate(64); // Linux cooked capture (SLL, 113): the protocol at 14, IPv4 at 16
        cooked.putShort(14, (short) 0x0800).put(16, (byte) 0x45).put(25, (byte) 6).putInt(28, 0x0A000003).putInt(32, 0x0A000004)
                .putShort(36, (short) 22).putShort(38, (short) 40000);
        TrafficSummary sll = new TrafficSummary(113);
        sll.add(MemorySegment.ofArray(cooked.array()), 0, 64);
        assertTrue(sll.mayHaveV4(0x0A000003) && sll.mayHaveV4(0x0A000004) && sll.mayHaveProtocol(6));
        assertTrue(sll.mayHavePort(22) && sll.mayHavePort(40000));
        assertFalse(sll.mayHaveV4(0x0A000001));
    }

    @Test
    void interleavedFlowsThatCollideInTheFlowCacheStillLeaveEveryAddressPortAndProtocol() {
        TrafficSummary summary = new TrafficSummary(1);
        Random random = new Random(7);
        List<int[]> flows = new ArrayList<>();
        for (int i = 0; i < 1500; i++) { // more flows than the cache has slots (evictions, collisions), fewer addresses than the exact set holds
            flows.add(new int[] {0x0A000000 | random.nextInt(1 << 20), 0x0A000000 | random.nextInt(1 << 20),
                    random.nextBoolean() ? 6 : 17, 1 + random.nextInt(65000), 1 + random.nextInt(65000)});
        }
        for (int round = 0; round < 3; round++) { // each flow comes back after the others
            for (int[] f : flows) {
                for (int k = 0; k <= random.nextInt(3); k++) {
                    summary.add(ipv4(f[0], f[1], f[2], f[3], f[4]), 0, 64);
                }
            }
        }
        for (int[] f : flows) {
            assertTrue(summary.mayHaveV4(f[0]) && summary.mayHaveV4(f[1]));
            assertTrue(summary.mayHaveProtocol(f[2]) && summary.mayHavePort(f[3]) && summary.mayHavePort(f[4]));
        }
        assertTrue(summary.addresses.exact());
        assertFalse(summary.mayHaveV4(0xC0000201));
        assertFalse(summary.mayHaveProtocol(1));
    }

    @Test
    void theSameAddressesWithOtherPortsOrProtocolAreAFlowOfTheirOwn() {
        TrafficSummary summary = new TrafficSummary(1);
        summary.add(ipv4(0x0A000001, 0x0A000002, 17, 1000, 53), 0, 64);
        summary.add(ipv4(0x0A000001, 0x0A000002, 17, 1000, 54), 0, 64);
        summary.add(ipv4(0x0A000001, 0x0A000002, 6, 1000, 54), 0, 64);
        summary.add(ipv4(0x0A000001, 0x0A000002, 1, 0, 0), 0, 64);
        assertTrue(summary.mayHavePort(53) && summary.mayHavePort(54));
        assertTrue(summary.mayHaveProtocol(17) && summary.mayHaveProtocol(6) && summary.mayHaveProtocol(1));
        assertFalse(summary.mayHavePort(0)); // ICMP has no ports
    }

    @Test
    void aPacketTooShortForItsPortsAddsItsAddressesButNoPorts() {
        TrafficSummary summary = new TrafficSummary(1);
        summary.add(ipv4(0x0A000001, 0x0A000002, 17, 1000, 53), 0, 34 + 2); // the IPv4 header and half the ports
        summary.add(ipv4(0x0A000001, 0x0A000002, 17, 1000, 53), 0, 64);     // the same flow, whole
        assertTrue(summary.mayHaveV4(0x0A000001) && summary.mayHavePort(1000) && summary.mayHavePort(53));
        TrafficSummary shortOnly = new TrafficSummary(1);
        shortOnly.add(ipv4(0x0A000001, 0x0A000002, 17, 1000, 53), 0, 36);
        assertTrue(shortOnly.mayHaveV4(0x0A000002));
        assertFalse(shortOnly.mayHavePort(1000));
    }

    @Test
    void arpAndRarpAddressesTaggedSctpPortsAndBothProtocolsOfAnIpv6FragmentAreRead() {
        TrafficSummary summary = new TrafficSummary(1);
        ByteBuffer arp = ByteBuffer.allocate(42); // Ethernet, then IPv4 over Ethernet ARP: sender at 14 + 14, target at 14 + 24
        arp.putShort(12, (short) 0x0806).putInt(28, 0x0A000101).putInt(38, 0x0A000102);
        summary.add(MemorySegment.ofArray(arp.array()), 0, 42);
        ByteBuffer rarp = ByteBuffer.allocate(42);
        rarp.putShort(12, (short) 0x8035).putInt(28, 0x0A000201).putInt(38, 0x0A000202);
        summary.add(MemorySegment.ofArray(rarp.array()), 0, 42);
        summary.add(MemorySegment.ofArray(rarp.putInt(28, 0x0A000301).array()), 0, 41); // one byte short of the target
        assertTrue(summary.mayHaveV4(0x0A000101) && summary.mayHaveV4(0x0A000102));
        assertTrue(summary.mayHaveV4(0x0A000201) && summary.mayHaveV4(0x0A000202));
        assertFalse(summary.mayHaveV4(0x0A000301));

        for (int outer : new int[] {0x88A8, 0x9100}) { // 802.1ad and the older QinQ TPID, each over an 802.1Q tag
            ByteBuffer tagged = ByteBuffer.allocate(64);
            tagged.putShort(12, (short) outer).putShort(16, (short) 0x8100).putShort(20, (short) 0x0800).put(22, (byte) 0x45)
                    .put(31, (byte) 132).putInt(34, 0x0A000401).putInt(38, 0x0A000402)
                    .putShort(42, (short) (outer == 0x88A8 ? 2905 : 3868)).putShort(44, (short) 36412);
            summary.add(MemorySegment.ofArray(tagged.array()), 0, 64);
        }
        assertTrue(summary.mayHaveProtocol(132) && summary.mayHaveV4(0x0A000401) && summary.mayHaveV4(0x0A000402));
        assertTrue(summary.mayHavePort(2905) && summary.mayHavePort(3868) && summary.mayHavePort(36412));

        ByteBuffer fragment = ByteBuffer.allocate(80); // IPv6 (next header 44), a fragment header (next 17), UDP's ports
        fragment.putShort(12, (short) 0x86DD).put(14, (byte) 0x60).put(20, (byte) 44)
                .putLong(22, 0xFD00_0000_0000_0000L).putLong(30, 1).putLong(38, 0xFD00_0000_0000_0000L).putLong(46, 2)
                .put(54, (byte) 17).putShort(62, (short) 5060).putShort(64, (short) 5061);
        summary.add(MemorySegment.ofArray(fragment.array()), 0, 80);
        assertTrue(summary.mayHaveProtocol(44) && summary.mayHaveProtocol(17));
        assertTrue(summary.mayHaveV6(0xFD00_0000_0000_0000L, 1) && summary.mayHaveV6(0xFD00_0000_0000_0000L, 2));
        assertTrue(summary.mayHavePort(5060) && summary.mayHavePort(5061));
        assertFalse(summary.mayHaveProtocol(6));
    }
}
