package gulp.kafka;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@link FlowHash} on every link type it reads; frames built at plain offsets, independent of the decap descriptors. */
class FlowHashTest {
    private static final int ETHERNET = 1, RAW = 101, SLL = 113, IPV4 = 228, IPV6 = 229, SLL2 = 276;

    /** IPv4 (20-byte header) of {@code protocol}, then 8 bytes whose first 4 are the ports. */
    private static byte[] ipv4(int source, int destination, int protocol, int fragment, int sourcePort, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put(0, (byte) 0x45).putShort(2, (short) 28).putShort(6, (short) fragment).put(8, (byte) 64)
                .put(9, (byte) protocol).putInt(12, source).putInt(16, destination)
                .putShort(20, (short) sourcePort).putShort(22, (short) destinationPort);
        return b.array();
    }

    /** IPv6 (next header {@code protocol}) from 2001:db8::{@code source} to 2001:db8::{@code destination}, then 8 bytes. */
    private static byte[] ipv6(int source, int destination, int protocol, int sourcePort, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(48);
        b.putInt(0, 0x60000000).putShort(4, (short) 8).put(6, (byte) protocol).put(7, (byte) 64)
                .putInt(8, 0x20010DB8).putInt(20, source).putInt(24, 0x20010DB8).putInt(36, destination)
                .putShort(40, (short) sourcePort).putShort(42, (short) destinationPort);
        return b.array();
    }

    /** {@code ip} after a link header of {@code headerLength} bytes: {@code types} at {@code typeAt}, 4 bytes apart (tags). */
    private static byte[] behind(int headerLength, byte[] ip, int typeAt, int... types) {
        ByteBuffer b = ByteBuffer.allocate(headerLength + ip.length);
        for (int i = 0; i < types.length; i++) {
            b.putShort(typeAt + 4 * i, (short) types[i]);
        }
        return b.put(headerLength, ip).array();
    }

    private static int hash(byte[] frame, int linkType) {
        return FlowHash.of(MemorySegment.ofArray(frame), 0, frame.length, linkType);
    }

    /** The hash of {@code ip} on every link type, the same on each. */
    private static int onEveryLink(byte[] ip, int etherType, int rawLinkType) {
        int expected = hash(behind(14, ip, 12, etherType), ETHERNET);
        assertEquals(expected, hash(behind(18, ip, 12, 0x8100, etherType), ETHERNET), "802.1Q");
        assertEquals(expected, hash(behind(22, ip, 12, 0x88A8, 0x8100, etherType), ETHERNET), "802.1ad, 802.1Q");
        assertEquals(expected, hash(behind(16, ip, 14, etherType), SLL), "Linux cooked v1");
        assertEquals(expected, hash(behind(20, ip, 0, etherType), SLL2), "Linux cooked v2");
        assertEquals(expected, hash(ip, RAW), "raw IP");
        assertEquals(expected, hash(ip, rawLinkType), "raw IPv4 / IPv6");
        return expected;
    }

    @Test
    void anIpPacketHashesAlikeOnEveryLinkTypeAndInBothDirections() {
        for (int protocol : new int[] {6, 17, 132}) {
            int ab = onEveryLink(ipv4(0x0A000001, 0x0A000002, protocol, 0, 1000, 80), 0x0800, IPV4);
            assertEquals(ab, onEveryLink(ipv4(0x0A000002, 0x0A000001, protocol, 0, 80, 1000), 0x0800, IPV4));
            assertNotEquals(ab, onEveryLink(ipv4(0x0A000001, 0x0A000002, protocol, 0, 1001, 80), 0x0800, IPV4));
            assertNotEquals(ab, onEveryLink(ipv4(0x0A000001, 0x0A000003, protocol, 0, 1000, 80), 0x0800, IPV4));

            int ab6 = onEveryLink(ipv6(1, 2, protocol, 1000, 80), 0x86DD, IPV6);
            assertEquals(ab6, onEveryLink(ipv6(2, 1, protocol, 80, 1000), 0x86DD, IPV6));
            assertNotEquals(ab6, onEveryLink(ipv6(1, 2, protocol, 1000, 81), 0x86DD, IPV6));
            assertNotEquals(ab6, onEveryLink(ipv6(1, 3, protocol, 1000, 80), 0x86DD, IPV6));
        }
        assertNotEquals(onEveryLink(ipv4(0x0A000001, 0x0A000002, 6, 0, 1000, 80), 0x0800, IPV4),
                onEveryLink(ipv4(0x0A000001, 0x0A000002, 17, 0, 1000, 80), 0x0800, IPV4), "the protocol counts");
    }

    @Test
    void aFrameTaggedWithTheLegacyQinqTpidHashesByItsInnerFlowAsTheUntaggedFrameDoes() {
        byte[] ip4 = ipv4(0x0A000001, 0x0A000002, 17, 0, 1000, 80);
        int untagged = hash(behind(14, ip4, 12, 0x0800), ETHERNET);
        assertEquals(untagged, hash(behind(18, ip4, 12, 0x9100, 0x0800), ETHERNET), "0x9100");
        assertEquals(untagged, hash(behind(22, ip4, 12, 0x9100, 0x8100, 0x0800), ETHERNET), "0x9100, 802.1Q");
        byte[] ip6 = ipv6(1, 2, 6, 1000, 80);
        assertEquals(hash(behind(14, ip6, 12, 0x86DD), ETHERNET), hash(behind(18, ip6, 12, 0x9100, 0x86DD), ETHERNET), "0x9100, IPv6");
    }

    @Test
    void portsCountForTcpUdpAndSctpOnlyAndForIpv4OnlyInTheFirstFragment() {
        // ICMP (1), GRE (47), ICMPv6 (58): the 4 bytes after the header are not ports.
        for (int protocol : new int[] {1, 47, 58}) {
            assertEquals(hash(behind(14, ipv4(0x0A000001, 0x0A000002, protocol, 0, 1000, 80), 12, 0x0800), ETHERNET),
                    hash(behind(14, ipv4(0x0A000001, 0x0A000002, protocol, 0, 7, 9), 12, 0x0800), ETHERNET));
            assertEquals(hash(ipv6(1, 2, protocol, 1000, 80), IPV6), hash(ipv6(1, 2, protocol, 7, 9), IPV6));
        }
        // A later fragment (offset 185, in 8-byte units): its first bytes are payload.
        // More-fragments alone is a first fragment: its ports count.
        assertEquals(hash(ipv4(0x0A000001, 0x0A000002, 17, 185, 1000, 80), IPV4),
                hash(ipv4(0x0A000001, 0x0A000002, 17, 185, 7, 9), IPV4));
        assertEquals(hash(ipv4(0x0A000001, 0x0A000002, 17, 0x2000 | 185, 1000, 80), IPV4),
                hash(ipv4(0x0A000001, 0x0A000002, 17, 0x2000 | 185, 7, 9), IPV4));
        assertNotEquals(hash(ipv4(0x0A000001, 0x0A000002, 17, 0x2000, 1000, 80), IPV4),
                hash(ipv4(0x0A000001, 0x0A000002, 17, 0x2000, 7, 9), IPV4));
    }

    @Test
    void eightTagsAreFollowedAsTheDecapsulatorFollowsThemAndANinthMakesTheFrameHashToZero() {
        byte[] ip4 = ipv4(0x0A000001, 0x0A000002, 6, 0, 1000, 80);
        int untagged = hash(behind(14, ip4, 12, 0x0800), ETHERNET);
        int[] eight = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x0800};
        int[] nine = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x0800};
        assertEquals(untagged, hash(behind(14 + 4 * 8, ip4, 12, eight), ETHERNET));
        assertEquals(0, hash(behind(14 + 4 * 9, ip4, 12, nine), ETHERNET));
    }

    @Test
    void nonIpFramesShortFramesAndOtherLinkTypesHashToZero() {
        assertEquals(0, hash(behind(14, new byte[28], 12, 0x0806), ETHERNET)); // ARP
        assertEquals(0, hash(new byte[13], ETHERNET)); // no EtherType
        assertEquals(0, hash(behind(14, new byte[19], 12, 0x0800), ETHERNET)); // IPv4 shorter than its header
        assertEquals(0, hash(behind(14, new byte[39], 12, 0x86DD), ETHERNET)); // IPv6 shorter than its header
        assertEquals(0, hash(new byte[15], SLL));
        assertEquals(0, hash(new byte[19], SLL2));
        assertEquals(0, hash(new byte[0], RAW));
        assertEquals(0, hash(ipv4(0x0A000001, 0x0A000002, 17, 0, 1000, 80), 147)); // a user link type
    }
}
