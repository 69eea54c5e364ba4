package gulp.capture;

import gulp.linux.Tpacket3Hdr;
import gulp.linux.TpacketBlockDesc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static gulp.format.Timestamps.NANOS_PER_SECOND;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Walks the packets of one TPACKET_V3 block and hands each to the handler: the per-packet hot
 * path of live capture (no allocation, constant offsets). Used on the kernel ring and, for JIT
 * warm-up, on synthetic blocks in ordinary memory.
 */
public final class BlockWalker {
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();

    private BlockWalker() {
    }

    /** True if the block at {@code block} belongs to user space (acquire: its contents are visible). */
    public static boolean isReady(MemorySegment ring, long block) {
        int status = (int) INT_HANDLE.getAcquire(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET);
        return (status & TpacketBlockDesc.TP_STATUS_USER) != 0; // other bits (BLK_TMO, LOSING) vary
    }

    /**
     * An upper bound of the ring bytes the block's own packets make as records: each packet's slot
     * in the block (its kernel header is larger than a pcap record header) plus a re-inserted VLAN
     * tag. Datagrams reassembled from fragments of earlier blocks come on top (the packet path
     * knows those).
     */
    public static long recordBytesAtMost(MemorySegment ring, long block) {
        long used = Integer.toUnsignedLong(ring.get(JAVA_INT, block + TpacketBlockDesc.BLK_LEN_OFFSET));
        long packets = Integer.toUnsignedLong(ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET));
        return used + 4 * packets;
    }

    /** Gives the block back to the kernel (release: our reads happen before it reuses the memory). */
    public static void release(MemorySegment ring, long block) {
        INT_HANDLE.setRelease(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET, TpacketBlockDesc.TP_STATUS_KERNEL);
    }

    /**
     * Hands over the packets of the block the kernel is still filling, once nothing can write into
     * it any more (after {@link gulp.linux.PacketSocket#stopDelivery}). It stays the kernel's: it is
     * not released. The kernel may still retire it, which changes its header and the last packet's
     * next offset, neither of which the walk needs. Returns the count.
     */
    public static int walkUnretired(MemorySegment ring, long block, PacketHandler handler, int skippedTypes) {
        VarHandle.acquireFence();
        int count = ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
        return count == 0 ? 0 : walk(ring, block, handler, skippedTypes);
    }

    /** {@link #walk(MemorySegment, long, PacketHandler, int)} keeping every direction. */
    public static int walk(MemorySegment ring, long block, PacketHandler handler) {
        return walk(ring, block, handler, 0);
    }

    /**
     * Hands every packet of a ready block to {@code handler}, then ends the batch; returns the count.
     * A packet whose {@code sll_pkttype} is in {@code skippedTypes} (bit {@code 1 << type}, see
     * {@link Direction}) goes to {@link PacketHandler#onSkippedByDirection()} instead.
     */
    public static int walk(MemorySegment ring, long block, PacketHandler handler, int skippedTypes) {
        int count = ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
        long packet = block + ring.get(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET);
        for (int i = 0; i < count; i++) {
            int next = ring.get(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET);
            int packetType = Byte.toUnsignedInt(ring.get(JAVA_BYTE, packet + Tpacket3Hdr.PKTTYPE_OFFSET));
            if ((skippedTypes >>> packetType & 1) != 0) {
                handler.onSkippedByDirection();
                packet += next;
                continue;
            }
            long seconds = Integer.toUnsignedLong(ring.get(JAVA_INT, packet + Tpacket3Hdr.SEC_OFFSET));
            long nanos = Integer.toUnsignedLong(ring.get(JAVA_INT, packet + Tpacket3Hdr.NSEC_OFFSET));
            int caplen = ring.get(JAVA_INT, packet + Tpacket3Hdr.SNAPLEN_OFFSET);
            int wirelen = ring.get(JAVA_INT, packet + Tpacket3Hdr.LEN_OFFSET);
            int status = ring.get(JAVA_INT, packet + Tpacket3Hdr.STATUS_OFFSET);
            int mac = Short.toUnsignedInt(ring.get(JAVA_SHORT, packet + Tpacket3Hdr.MAC_OFFSET));
            int vlanTag = PacketHandler.NO_VLAN_TAG;
            if ((status & Tpacket3Hdr.TP_STATUS_VLAN_VALID) != 0) {
                int tci = ring.get(JAVA_INT, packet + Tpacket3Hdr.VLAN_TCI_OFFSET) & 0xFFFF;
                int tpid = (status & Tpacket3Hdr.TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt(ring.get(JAVA_SHORT, packet + Tpacket3Hdr.VLAN_TPID_OFFSET))
                        : Tpacket3Hdr.ETH_P_8021Q;
                vlanTag = tpid << 16 | tci;
            }
            handler.onPacket(ring, packet + mac, caplen, wirelen, seconds * NANOS_PER_SECOND + nanos, vlanTag, packetType,
                    status);
            packet += next;
        }
        handler.onBatchEnd();
        return count;
    }

    /**
     * Writes a block of {@code count} packets of the given frame lengths into {@code memory} at
     * {@code block}, laid out as the kernel does (for warm-up and tests). Returns the bytes used.
     */
    public static long writeSyntheticBlock(MemorySegment memory, long block, int[] frameLengths, long firstNanos, boolean tagged) {
        return writeSyntheticBlock(memory, block, frameLengths, firstNanos, tagged, new int[frameLengths.length]);
    }

    /** As above, with each packet's {@code sll_pkttype} (its direction) given. */
    public static long writeSyntheticBlock(MemorySegment memory, long block, int[] frameLengths, long firstNanos, boolean tagged,
                                           int[] packetTypes) {
        int mac = 82; // what the kernel uses for Ethernet: header (48) + sockaddr_ll room, aligned
        long packet = block + TpacketBlockDesc.SIZE;
        memory.set(JAVA_INT, block + TpacketBlockDesc.VERSION_OFFSET, 2);
        memory.set(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_PRIV_OFFSET, TpacketBlockDesc.SIZE);
        memory.set(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET, frameLengths.length);
        memory.set(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET, TpacketBlockDesc.SIZE);
        for (int i = 0; i < frameLengths.length; i++) {
            int length = frameLengths[i];
            int next = (mac + length + 15) & ~15;
            long nanos = firstNanos + i * 1000L;
            memory.set(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET, i == frameLengths.length - 1 ? 0 : next);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.SEC_OFFSET, (int) (nanos / NANOS_PER_SECOND));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.NSEC_OFFSET, (int) (nanos % NANOS_PER_SECOND));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.SNAPLEN_OFFSET, length);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.LEN_OFFSET, length);
            boolean tag = tagged && (i & 7) == 0;
            memory.set(JAVA_INT, packet + Tpacket3Hdr.STATUS_OFFSET, tag
                    ? TpacketBlockDesc.TP_STATUS_USER | Tpacket3Hdr.TP_STATUS_VLAN_VALID | Tpacket3Hdr.TP_STATUS_VLAN_TPID_VALID
                    : TpacketBlockDesc.TP_STATUS_USER);
            memory.set(JAVA_BYTE, packet + Tpacket3Hdr.PKTTYPE_OFFSET, (byte) packetTypes[i]);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.MAC_OFFSET, (short) mac);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.NET_OFFSET, (short) (mac + 14));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.VLAN_TCI_OFFSET, tag ? 100 : 0);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.VLAN_TPID_OFFSET, (short) (tag ? 0x8100 : 0));
            for (int b = 0; b < length; b++) {
                memory.set(ValueLayout.JAVA_BYTE, packet + mac + b, (byte) (i + b));
            }
            packet += next;
        }
        long used = packet - block;
        memory.set(JAVA_INT, block + TpacketBlockDesc.BLK_LEN_OFFSET, (int) used);
        INT_HANDLE.setRelease(memory, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET, TpacketBlockDesc.TP_STATUS_USER);
        return used;
    }
}
