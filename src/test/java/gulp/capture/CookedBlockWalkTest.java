package gulp.capture;

import gulp.decap.Sll2Header;
import gulp.linux.SockaddrLl;
import gulp.linux.Tpacket3Hdr;
import gulp.linux.TpacketBlockDesc;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The walk of a cooked socket's block ({@code -i any}): each packet starts at its network header,
 * the SLL2 header is built in the 20 bytes PACKET_RESERVE left in front of it, and outgoing copies
 * on the loopback index are skipped.
 */
class CookedBlockWalkTest {
    /** Where a SOCK_DGRAM packet starts with 20 reserved bytes: TPACKET_ALIGN(48 + 20 + 16) + 20. */
    private static final int MAC = 116;
    private static final int LOOPBACK = 1;

    private record Seen(byte[] frame, int caplen, int wirelen, int vlanTag, int packetType) {
    }

    private static final class Recorder implements PacketHandler {
        final List<Seen> packets = new ArrayList<>();
        int skipped;

        @Override
        public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag) {
            throw new AssertionError("live packets come with their packet type");
        }

        @Override
        public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                             int packetType) {
            byte[] frame = new byte[caplen];
            MemorySegment.copy(data, JAVA_BYTE, offset, frame, 0, caplen);
            packets.add(new Seen(frame, caplen, wirelen, vlanTag, packetType));
        }

        @Override
        public void onSkippedByDirection() {
            skipped++;
        }

        @Override
        public void onBatchEnd() {
        }

        @Override
        public boolean stopRequested() {
            return false;
        }
    }

    /** A block of cooked packets: {ifindex, packet type} each, with a 28-byte IPv4-looking payload and a VLAN tag. */
    private static void writeBlock(MemorySegment memory, int[][] packets) {
        long packet = TpacketBlockDesc.SIZE;
        memory.set(JAVA_INT, TpacketBlockDesc.NUM_PKTS_OFFSET, packets.length);
        memory.set(JAVA_INT, TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET, TpacketBlockDesc.SIZE);
        for (int i = 0; i < packets.length; i++) {
            int next = (MAC + 28 + 15) & ~15;
            memory.set(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET, next);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.SNAPLEN_OFFSET, 28);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.LEN_OFFSET, 1000);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.STATUS_OFFSET,
                    TpacketBlockDesc.TP_STATUS_USER | Tpacket3Hdr.TP_STATUS_VLAN_VALID);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.VLAN_TCI_OFFSET, 100);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.MAC_OFFSET, (short) MAC);
            long address = packet + Tpacket3Hdr.SOCKADDR_LL_OFFSET;
            memory.set(JAVA_SHORT, address + SockaddrLl.FAMILY_OFFSET, (short) 17);
            memory.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), address + SockaddrLl.PROTOCOL_OFFSET, (short) 0x0800);
            memory.set(JAVA_INT, address + SockaddrLl.IFINDEX_OFFSET, packets[i][0]);
            memory.set(JAVA_SHORT, address + SockaddrLl.HATYPE_OFFSET, (short) 1);
            memory.set(JAVA_BYTE, address + SockaddrLl.PKTTYPE_OFFSET, (byte) packets[i][1]);
            memory.set(JAVA_BYTE, address + SockaddrLl.HALEN_OFFSET, (byte) 6);
            for (int b = 0; b < 8; b++) {
                memory.set(JAVA_BYTE, address + SockaddrLl.ADDR_OFFSET + b, (byte) (b < 6 ? 0xA0 + b : 0));
            }
            for (int b = 0; b < 28; b++) {
                memory.set(JAVA_BYTE, packet + MAC + b, (byte) (i * 16 + b));
            }
            packet += next;
        }
        memory.set(JAVA_INT, TpacketBlockDesc.BLOCK_STATUS_OFFSET, TpacketBlockDesc.TP_STATUS_USER);
    }

    private static Recorder walk(int[][] packets) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(64 << 10, 4096);
            writeBlock(memory, packets);
            Recorder recorder = new Recorder();
            assertEquals(packets.length, BlockWalker.walk(memory, 0, recorder, 0, LOOPBACK, true));
            return recorder;
        }
    }

    @Test
    void eachCookedPacketIsHandedOverBehindItsSll2HeaderBuiltFromItsAddress() {
        Recorder recorder = walk(new int[][] {{7, SockaddrLl.PACKET_HOST}, {9, SockaddrLl.PACKET_OUTGOING}});
        assertEquals(2, recorder.packets.size());
        for (int i = 0; i < 2; i++) {
            Seen seen = recorder.packets.get(i);
            assertEquals(28 + Sll2Header.LENGTH, seen.caplen());
            assertEquals(1000 + Sll2Header.LENGTH, seen.wirelen());
            assertEquals(PacketHandler.NO_VLAN_TAG, seen.vlanTag(), "libpcap puts no tag into SLL2 frames");
            ByteBuffer header = ByteBuffer.wrap(seen.frame()); // big-endian, as the format says
            assertEquals(0x0800, header.getShort(Sll2Header.PROTOCOL_OFFSET));
            assertEquals(0, header.getShort(Sll2Header.RESERVED_OFFSET));
            assertEquals(i == 0 ? 7 : 9, header.getInt(Sll2Header.INTERFACE_INDEX_OFFSET));
            assertEquals(1, header.getShort(Sll2Header.ARPHRD_TYPE_OFFSET));
            assertEquals(i == 0 ? SockaddrLl.PACKET_HOST : SockaddrLl.PACKET_OUTGOING, header.get(Sll2Header.PACKET_TYPE_OFFSET));
            assertEquals(6, header.get(Sll2Header.ADDRESS_LENGTH_OFFSET));
            byte[] address = new byte[8];
            header.get(Sll2Header.ADDRESS_OFFSET, address);
            assertArrayEquals(new byte[] {(byte) 0xA0, (byte) 0xA1, (byte) 0xA2, (byte) 0xA3, (byte) 0xA4, (byte) 0xA5, 0, 0},
                    address);
            for (int b = 0; b < 28; b++) {
                assertEquals((byte) (i * 16 + b), seen.frame()[Sll2Header.LENGTH + b], "payload byte " + b);
            }
        }
    }

    @Test
    void outgoingCopiesOnTheLoopbackIndexAreSkippedAndOthersKept() {
        Recorder recorder = walk(new int[][] {
                {LOOPBACK, SockaddrLl.PACKET_OUTGOING}, {LOOPBACK, SockaddrLl.PACKET_HOST},
                {7, SockaddrLl.PACKET_OUTGOING}, {LOOPBACK, SockaddrLl.PACKET_OUTGOING}});
        assertEquals(2, recorder.skipped);
        assertEquals(List.of(SockaddrLl.PACKET_HOST, SockaddrLl.PACKET_OUTGOING),
                recorder.packets.stream().map(Seen::packetType).toList());
    }
}
