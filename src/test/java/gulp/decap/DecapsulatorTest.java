package gulp.decap;

import gulp.decap.DecapCounters.Counter;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static gulp.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the decapsulator on hand-built frames: lengths, timestamps, filters, skips and fragments. */
class DecapsulatorTest {
    static final long T = 1_764_000_000_123_456_789L;
    final byte[] frame = innerFrame(100);
    Decapsulator decap = new Decapsulator(DecapConfig.defaults());
    final DecapResult result = new DecapResult();

    DecapOutcome run(byte[] packet) { return run(packet, packet.length, packet.length, T); }

    DecapOutcome run(byte[] packet, int caplen, int wirelen, long ts) {
        return decap.decapsulate(MemorySegment.ofArray(packet), 0, caplen, wirelen, ts, result);
    }

    byte[] innerBytes() { return TestFrames.record(result).data(); }

    void assertSkipped(Counter reason, byte[] packet) {
        assertEquals(DecapOutcome.SKIPPED, run(packet), () -> "expected skip " + reason + ", got " + result.skipReason());
        assertEquals(reason, result.skipReason());
    }

    @Test
    void ethernetTrailerPaddingIsNotPartOfTheInnerFrame() {
        byte[] small = ethernet(0x0806, new byte[28]);
        byte[] padded = concat(ethernet(0x0800, ipv4(17, vxlan(5, small), 0)), new byte[18]);
        assertEquals(DecapOutcome.INNER, run(padded));
        assertArrayEquals(small, innerBytes());
        assertEquals(small.length, result.innerWireLength());
    }

    @Test
    void ipv4TotalLengthZeroMeansToTheEndOfTheCapture() {
        byte[] packet = ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0));
        packet[16] = 0; packet[17] = 0; // GSO / BIG TCP
        assertEquals(DecapOutcome.INNER, run(packet));
        assertArrayEquals(frame, innerBytes());
    }

    @Test
    void truncatedCaptureKeepsWhatIsThereAndTheWireLengthFromTheOuterIpLength() {
        byte[] packet = ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0));
        int cut = packet.length - 40;
        assertEquals(DecapOutcome.INNER, run(packet, cut, packet.length, T));
        assertEquals(frame.length, result.innerWireLength());
        assertEquals(frame.length - 40, result.innerCaplen());
    }

    @Test
    void outerVlanTagsAndIpv4OptionsAndIpv6ExtensionHeadersAreWalked() {
        for (byte[] packet : List.of(
                ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 3), 100),
                ethernet(0x0800, ipv4(47, erspanII(3, 2, frame), 0), 100, 200),
                ethernet(0x86DD, ipv6(47, erspanII(3, 3, frame), true), 7),
                ethernet(0x86DD, ipv6(17, geneve(9, 0x6558, 4, frame), true)),
                ethernet(0x86DD, ipv6(17, vxlan(9, frame), false)))) {
            assertEquals(DecapOutcome.INNER, run(packet), () -> String.valueOf(result.skipReason()));
            assertArrayEquals(frame, innerBytes());
        }
    }

    @Test
    void greKeyChecksumAndSequenceAreSkippedByTheirFlags() {
        for (int flags : new int[] {0, 0x8000, 0x2000, 0x1000, 0xA000, 0xB000, 0x3000}) {
            assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, gre(flags, 0x6558, 0xABCD, 9, frame), 0))));
            assertArrayEquals(frame, innerBytes());
            assertEquals((flags & 0x2000) != 0 ? 0xABCD : DecapResult.NO_ID, result.id());
            assertEquals(EncapKind.GRE, result.kind());
        }
    }

    @Test
    void erspanIiiWithIpFrameTypeGetsASyntheticEthernetHeader() {
        byte[] ip = ipv4(1, new byte[30], 0);
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 0, 2 << 10, null, ip), 0))));
        assertTrue(result.hasSyntheticPrefix());
        assertArrayEquals(concat(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00}, ip), innerBytes());
        assertEquals(ip.length + 14, result.recordWireLength());
        byte[] ip6 = ipv6(59, new byte[8], false);
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, geneve(1, 0x86DD, 0, ip6), 0))));
        assertArrayEquals(concat(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x86, (byte) 0xDD}, ip6), innerBytes());
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, vxlan(1, frame), 0))));
        assertFalse(result.hasSyntheticPrefix());
    }

    @Test
    void copyToWritesTheRecordUpToTheSnaplen() {
        byte[] ip = ipv4(1, new byte[30], 0);
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, geneve(1, 0x0800, 2, ip), 0))));
        byte[] whole = innerBytes();
        MemorySegment target = MemorySegment.ofArray(new byte[100]);
        for (int snap : new int[] {0, 5, 14, 20, whole.length, 100}) {
            int n = result.copyTo(target, 3, snap);
            assertEquals(Math.min(snap, whole.length), n);
            assertArrayEquals(java.util.Arrays.copyOf(whole, n), target.asSlice(3, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void erspanIiiHardwareTimeHonoursGranularityAndResolvesTheWrap() {
        decap = new Decapsulator(DecapConfig.builder().useErspanHardwareTime(true).build());
        // 100 us units: arrival T, stamp of a packet 1.5 ms earlier.
        long units = Math.floorDiv(T, 100_000L) - 15;
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, (int) units, 0, null, frame), 0))));
        assertEquals(units * 100_000L, result.timestampNanos());
        // Just after the 32-bit counter wrapped while arrival is still before it: resolves forwards.
        long wrapAt = (Math.floorDiv(T, 100_000L) | 0xFFFF_FFFFL) + 1;
        long arrival = (wrapAt - 2) * 100_000L;
        byte[] afterWrap = ethernet(0x0800, ipv4(47, erspanIII(4, 1, 3, 0, null, frame), 0));
        assertEquals(DecapOutcome.INNER, run(afterWrap, afterWrap.length, afterWrap.length, arrival));
        assertEquals((wrapAt + 3) * 100_000L, result.timestampNanos());
        // 100 ns units.
        long fine = Math.floorDiv(T, 100L) + 7;
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, (int) fine, 1 << 1, null, frame), 0))));
        assertEquals(fine * 100L, result.timestampNanos());
        // IEEE 1588 with a platform 3 sub-header carrying the seconds.
        byte[] sub = {0x0C, 0, 0, 0, 0x65, 0x43, 0x21, 0x00};
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 500, (2 << 1) | 1, sub, frame), 0))));
        assertEquals(0x65432100L * 1_000_000_000L + 500, result.timestampNanos());
        assertArrayEquals(frame, innerBytes());
        // Custom granularity: arrival time, counted.
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 500, 3 << 1, null, frame), 0))));
        assertEquals(T, result.timestampNanos());
        assertEquals(1, decap.counters().get(Counter.HARDWARE_TIME_UNUSABLE));
    }

    @Test
    void erspanIiiDirectionBitGivesIngressOrEgressAndOtherKindsNone() {
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 0, 0, null, frame), 0))));
        assertEquals(DecapResult.DIRECTION_INGRESS, result.direction());
        // D (0x0008) among other word-2 bits: granularity 100 ns, FT 0, a sub-header.
        byte[] sub = {0x0C, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(DecapOutcome.INNER,
                run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 0, 0x0008 | 1 << 1 | 1, sub, frame), 0))));
        assertEquals(DecapResult.DIRECTION_EGRESS, result.direction());
        assertArrayEquals(frame, innerBytes());
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0))));
        assertEquals(DecapResult.DIRECTION_UNKNOWN, result.direction(), "type II has no direction bit");
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, vxlan(1, frame), 0))));
        assertEquals(DecapResult.DIRECTION_UNKNOWN, result.direction());
    }

    @Test
    void arrivalTimeIsUsedUnlessHardwareTimeIsAskedFor() {
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(47, erspanIII(4, 1, 12345, 0, null, frame), 0))));
        assertEquals(T, result.timestampNanos());
    }

    @Test
    void unsupportedOrMalformedEncapsulationIsSkippedWithItsReason() {
        assertSkipped(Counter.GRE_BAD_VERSION, ethernet(0x0800, ipv4(47, gre(0x0001, 0x880B, 0, 0, frame), 0)));
        assertSkipped(Counter.GRE_ROUTING, ethernet(0x0800, ipv4(47, gre(0x4000, 0x6558, 0, 0, frame), 0)));
        assertSkipped(Counter.GRE_NOT_BRIDGING, ethernet(0x0800, ipv4(47, gre(0, 0x0800, 0, 0, ipv4(1, new byte[8], 0)), 0)));
        byte[] wrongVersion = erspanII(3, 1, frame);
        wrongVersion[8] = 0x20;
        assertSkipped(Counter.ERSPAN_UNKNOWN_VERSION, ethernet(0x0800, ipv4(47, wrongVersion, 0)));
        assertSkipped(Counter.ERSPAN_FRAME_TYPE, ethernet(0x0800, ipv4(47, erspanIII(4, 1, 0, 1 << 10, null, frame), 0)));
        byte[] noI = vxlan(5, frame);
        noI[8] = 0;
        assertSkipped(Counter.VXLAN_NO_VNI_FLAG, ethernet(0x0800, ipv4(17, noI, 0)));
        byte[] geneve1 = geneve(5, 0x6558, 0, frame);
        geneve1[8] = 0x40;
        assertSkipped(Counter.GENEVE_BAD_VERSION, ethernet(0x0800, ipv4(17, geneve1, 0)));
        assertSkipped(Counter.GENEVE_PROTOCOL, ethernet(0x0800, ipv4(17, geneve(5, 0x8847, 0, frame), 0)));
        assertSkipped(Counter.INNER_TOO_SHORT, ethernet(0x0800, ipv4(17, vxlan(5, new byte[10]), 0)));
    }

    @Test
    void hostileLengthsAreCountedAndSkipped() {
        byte[] beyond = ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0));
        beyond[16] = (byte) 0xFF; // total length > frame
        assertSkipped(Counter.OUTER_LENGTH_BEYOND_PACKET, beyond);
        byte[] ihl = ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0));
        ihl[14] = 0x44;
        assertSkipped(Counter.MALFORMED_OUTER_IP, ihl);
        byte[] options = geneve(5, 0x6558, 0, frame);
        options[8] = 0x3F; // 63 option words: beyond the packet
        assertSkipped(Counter.TRUNCATED_ENCAPSULATION, ethernet(0x0800, ipv4(17, options, 0)));
        byte[] udpLong = vxlan(5, frame);
        udpLong[4] = (byte) 0xFF;
        assertSkipped(Counter.OUTER_LENGTH_BEYOND_PACKET, ethernet(0x0800, ipv4(17, udpLong, 0)));
        byte[] ipv6Long = ethernet(0x86DD, ipv6(47, erspanII(3, 1, frame), false));
        ipv6Long[18] = (byte) 0xFF;
        assertSkipped(Counter.OUTER_LENGTH_BEYOND_PACKET, ipv6Long);
    }

    @Test
    void nestedEncapsulationIsRemovedOneLevelAtATime() {
        byte[] innermost = frame;
        byte[] middle = ethernet(0x0800, ipv4(17, vxlan(2, innermost), 0));
        byte[] outer = ethernet(0x0800, ipv4(47, erspanII(1, 1, middle), 0));
        assertEquals(DecapOutcome.INNER, run(outer));
        byte[] once = innerBytes();
        assertArrayEquals(middle, once);
        assertEquals(DecapOutcome.INNER, run(once));
        assertArrayEquals(innermost, innerBytes());
    }

    @Test
    void otherTrafficAndDisabledKindsAreOther() {
        assertEquals(DecapOutcome.OTHER, run(frame));
        assertEquals(DecapOutcome.OTHER, run(ethernet(0x0800, ipv4(17, udp(53, new byte[20]), 0))));
        assertEquals(DecapOutcome.OTHER, run(new byte[5]));
        decap = new Decapsulator(DecapConfig.builder().kinds(EnumSet.of(EncapKind.VXLAN)).build());
        assertEquals(DecapOutcome.OTHER, run(ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0))));
        assertEquals(DecapOutcome.OTHER, run(ethernet(0x0800, ipv4(17, geneve(3, 0x6558, 0, frame), 0))));
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, vxlan(3, frame), 0))));
        assertEquals(2, decap.counters().get(Counter.NOT_ENCAPSULATION));
        assertNull(result.skipReason());
    }

    @Test
    void portsAndVniFilterAreConfigurable() {
        decap = new Decapsulator(DecapConfig.builder().vxlanPort(8472).vnis(Set.of(100, 200)).build());
        byte[] on4789 = ethernet(0x0800, ipv4(17, vxlan(100, frame), 0));
        assertEquals(DecapOutcome.OTHER, run(on4789));
        byte[] v100 = vxlan(100, frame);
        v100[2] = (byte) (8472 >>> 8); v100[3] = (byte) 8472;
        assertEquals(DecapOutcome.INNER, run(ethernet(0x0800, ipv4(17, v100, 0))));
        assertEquals(100, result.id());
        byte[] v300 = vxlan(300, frame);
        v300[2] = (byte) (8472 >>> 8); v300[3] = (byte) 8472;
        assertSkipped(Counter.VNI_FILTERED, ethernet(0x0800, ipv4(17, v300, 0)));
    }

    @Test
    void outerIpv4FragmentsAreReassembledInAnyOrder() {
        byte[] big = innerFrame(3000);
        byte[][] pieces = ipv4Fragments(47, erspanII(5, 1, big), 1000, 77);
        for (int[] order : new int[][] {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}}) {
            for (int k = 0; k < order.length; k++) {
                DecapOutcome outcome = run(pieces[order[k]]);
                assertEquals(k < order.length - 1 ? DecapOutcome.HELD : DecapOutcome.INNER, outcome);
            }
            assertArrayEquals(big, innerBytes());
            assertTrue(result.reassembled());
            assertEquals(5, result.id());
        }
        assertEquals(0, decap.fragmentsInFlight());
    }

    @Test
    void outerIpv6FragmentsWithDestinationOptionsAfterTheFragmentHeaderAreReassembled() {
        byte[] big = innerFrame(2000);
        // Fragmentable part: destination options (8 bytes) then UDP/VXLAN.
        byte[] fragmentable = concat(new byte[] {17, 0, 1, 4, 0, 0, 0, 0}, vxlan(42, big));
        int half = (fragmentable.length / 2) & ~7;
        byte[][] parts = {java.util.Arrays.copyOfRange(fragmentable, 0, half), java.util.Arrays.copyOfRange(fragmentable, half, fragmentable.length)};
        for (int k = 0; k < 2; k++) {
            int offsetFlags = (k == 0 ? 0 : half) | (k == 0 ? 1 : 0);
            byte[] fragmentHeader = {60, 0, (byte) (offsetFlags >>> 8), (byte) offsetFlags, 0, 0, 0x12, 0x34};
            byte[] packet = ethernet(0x86DD, ipv6(44, concat(fragmentHeader, parts[k]), false));
            assertEquals(k == 0 ? DecapOutcome.HELD : DecapOutcome.INNER, run(packet), () -> String.valueOf(result.skipReason()));
        }
        assertArrayEquals(big, innerBytes());
        assertEquals(42, result.id());
    }

    @Test
    void overlappingFragmentsDropTheDatagram() {
        byte[][] pieces = ipv4Fragments(47, erspanII(5, 1, innerFrame(3000)), 1000, 78);
        assertEquals(DecapOutcome.HELD, run(pieces[0]));
        assertSkipped(Counter.FRAGMENT_INCONSISTENT, pieces[0]); // exact duplicate overlaps
        assertEquals(0, decap.fragmentsInFlight());
        // A middle fragment whose length is not a multiple of 8 is inconsistent too.
        byte[] odd = java.util.Arrays.copyOf(pieces[1], pieces[1].length - 3);
        int totalLength = odd.length - 14;
        odd[16] = (byte) (totalLength >>> 8);
        odd[17] = (byte) totalLength;
        assertSkipped(Counter.FRAGMENT_INCONSISTENT, odd);
    }

    @Test
    void incompleteDatagramsAreGivenUpAfterTheTimeoutOrWhenTheTableIsFull() {
        byte[][] pieces = ipv4Fragments(47, erspanII(5, 1, innerFrame(3000)), 1000, 79);
        assertEquals(DecapOutcome.HELD, run(pieces[0], pieces[0].length, pieces[0].length, T));
        byte[][] other = ipv4Fragments(47, erspanII(5, 1, innerFrame(3000)), 1000, 80);
        assertEquals(DecapOutcome.HELD, run(other[0], other[0].length, other[0].length, T + 3_000_000_000L));
        assertEquals(1, decap.counters().get(Counter.FRAGMENT_GIVEN_UP_TIMEOUT));
        for (int id = 1000; id < 1000 + FragmentReassembler.SLOTS; id++) {
            byte[] first = ipv4Fragments(47, erspanII(5, 1, innerFrame(3000)), 1000, id)[0];
            assertEquals(DecapOutcome.HELD, run(first, first.length, first.length, T + 3_000_000_000L));
        }
        assertEquals(1, decap.counters().get(Counter.FRAGMENT_GIVEN_UP_TABLE_FULL));
        decap.finish();
        assertEquals(FragmentReassembler.SLOTS, decap.counters().get(Counter.FRAGMENT_GIVEN_UP_AT_END));
        StringBuilder summary = new StringBuilder();
        decap.appendSummary(summary);
        assertTrue(summary.toString().contains("datagrams given up (reassembly table full)"), summary.toString());
    }

    @Test
    void truncatedFragmentsAreSkipped() {
        byte[] first = ipv4Fragments(47, erspanII(5, 1, innerFrame(3000)), 1000, 81)[0];
        assertEquals(DecapOutcome.SKIPPED, run(first, 100, first.length, T));
        assertEquals(Counter.FRAGMENT_TRUNCATED, result.skipReason());
    }

    @Test
    void firstUdpFragmentToAnotherPortIsOther() {
        byte[] first = ipv4Fragments(17, udp(53, new byte[3000]), 1000, 82)[0];
        assertEquals(DecapOutcome.OTHER, run(first));
    }

    @Test
    void summaryNamesEveryNonZeroCounter() {
        run(ethernet(0x0800, ipv4(47, erspanII(7, 1, frame), 0)));
        run(ethernet(0x0800, ipv4(47, erspanII(7, 5, frame), 0)));
        run(ethernet(0x0800, ipv4(47, gre(0, 0x0800, 0, 0, frame), 0)));
        decap.finish();
        StringBuilder s = new StringBuilder();
        decap.appendSummary(s);
        String text = s.toString();
        assertTrue(text.contains("decapsulated: 2 packets"), text);
        assertTrue(text.contains("2 ERSPAN type II"), text);
        assertTrue(text.contains("skipped: 1 packets"), text);
        assertTrue(text.contains("1 GRE not bridging"), text);
        assertTrue(text.contains("session 7: 1 gap, 3 packets missing upstream"), text);
    }
}
