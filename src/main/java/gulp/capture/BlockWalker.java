package gulp.capture;

import gulp.decap.Sll2Header;
import gulp.linux.SockaddrLl;
import gulp.linux.Tpacket3Hdr;
import gulp.linux.TpacketBlockDesc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.Supplier;

import static gulp.format.Timestamps.NANOS_PER_SECOND;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Walks the packets of one TPACKET_V3 block and hands each to the handler: the per-packet hot
 * path of live capture (no allocation, constant offsets). Used on the kernel ring and, for JIT
 * warm-up, on synthetic blocks in ordinary memory.
 */
public final class BlockWalker {
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();
    /** No interface index (real ones are positive). */
    public static final int NO_INTERFACE = -1;
    private static final ValueLayout.OfInt BIG_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BIG_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BlockWalker() {
    }

    /** True if the block at {@code block} belongs to user space (acquire: its contents are visible). */
    public static boolean isReady(MemorySegment ring, long block) {
        return TpacketBlockDesc.userOwns(ring, block);
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
        return walkUnretired(ring, block, handler, skippedTypes, NO_INTERFACE, false);
    }

    /** As above, with the rules of {@link #walk(MemorySegment, long, PacketHandler, int, int, boolean)}. */
    public static int walkUnretired(MemorySegment ring, long block, PacketHandler handler, int skippedTypes,
                                    int skipOutgoingOn, boolean cooked) {
        VarHandle.acquireFence();
        int count = ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
        return count == 0 ? 0 : walk(ring, block, handler, skippedTypes, skipOutgoingOn, cooked);
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
        return walk(ring, block, handler, skippedTypes, NO_INTERFACE, false);
    }

    /**
     * As {@link #walk(MemorySegment, long, PacketHandler, int)}, for any socket.
     *
     * @param skipOutgoingOn an interface index whose outgoing packets are skipped as well (the
     *                       loopback device under {@code -i any}, as libpcap's
     *                       linux_check_direction), or {@link #NO_INTERFACE}
     * @param cooked         the socket is SOCK_DGRAM ({@code -i any}): each packet starts at its
     *                       network header, and the Linux cooked v2 header ({@link Sll2Header}) is
     *                       built in place in the room PACKET_RESERVE left in front of it, from the
     *                       packet's sockaddr_ll, as libpcap does; the VLAN tag is not put back
     *                       (libpcap neither, for that link type)
     */
    public static int walk(MemorySegment ring, long block, PacketHandler handler, int skippedTypes, int skipOutgoingOn,
                           boolean cooked) {
        int count = ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
        long packet = block + ring.get(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET);
        for (int i = 0; i < count; i++) {
            int next = ring.get(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET);
            int packetType = Byte.toUnsignedInt(ring.get(JAVA_BYTE, packet + Tpacket3Hdr.PKTTYPE_OFFSET));
            if ((skippedTypes >>> packetType & 1) != 0 || packetType == SockaddrLl.PACKET_OUTGOING
                    && ring.get(JAVA_INT, packet + Tpacket3Hdr.SOCKADDR_LL_OFFSET + SockaddrLl.IFINDEX_OFFSET) == skipOutgoingOn) {
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
            if (cooked) {
                long header = packet + mac - Sll2Header.LENGTH;
                buildSll2Header(ring, packet + Tpacket3Hdr.SOCKADDR_LL_OFFSET, header);
                handler.onPacket(ring, header, caplen + Sll2Header.LENGTH, wirelen + Sll2Header.LENGTH,
                        seconds * NANOS_PER_SECOND + nanos, PacketHandler.NO_VLAN_TAG, packetType);
                packet += next;
                continue;
            }
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
     * Writes the SLL2 header for the packet whose sockaddr_ll is at {@code address} into the 20
     * bytes at {@code header}: protocol as it is (network order already), interface index and
     * hardware type to network order, packet type, address length and the 8 address bytes.
     */
    static void buildSll2Header(MemorySegment ring, long address, long header) {
        ring.set(JAVA_SHORT_UNALIGNED, header + Sll2Header.PROTOCOL_OFFSET,
                ring.get(JAVA_SHORT_UNALIGNED, address + SockaddrLl.PROTOCOL_OFFSET));
        ring.set(JAVA_SHORT_UNALIGNED, header + Sll2Header.RESERVED_OFFSET, (short) 0);
        ring.set(BIG_INT, header + Sll2Header.INTERFACE_INDEX_OFFSET,
                ring.get(JAVA_INT_UNALIGNED, address + SockaddrLl.IFINDEX_OFFSET));
        ring.set(BIG_SHORT, header + Sll2Header.ARPHRD_TYPE_OFFSET,
                ring.get(JAVA_SHORT_UNALIGNED, address + SockaddrLl.HATYPE_OFFSET));
        ring.set(JAVA_BYTE, header + Sll2Header.PACKET_TYPE_OFFSET, ring.get(JAVA_BYTE, address + SockaddrLl.PKTTYPE_OFFSET));
        ring.set(JAVA_BYTE, header + Sll2Header.ADDRESS_LENGTH_OFFSET, ring.get(JAVA_BYTE, address + SockaddrLl.HALEN_OFFSET));
        ring.set(JAVA_LONG_UNALIGNED, header + Sll2Header.ADDRESS_OFFSET,
                ring.get(JAVA_LONG_UNALIGNED, address + SockaddrLl.ADDR_OFFSET));
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
        return writeSyntheticBlock(memory, block, frameLengths, frameLengths.length, null, firstNanos, tagged, packetTypes);
    }

    /**
     * As above, {@code count} packets whose bytes {@code frames} gives, one call each, copied at
     * once (none tagged, all incoming); allocates nothing.
     */
    public static long writeSyntheticBlock(MemorySegment memory, long block, int count, Supplier<byte[]> frames,
                                           long firstNanos) {
        return writeSyntheticBlock(memory, block, null, count, frames, firstNanos, false, null);
    }

    /** {@code frameLengths} and patterned bytes, or (frameLengths null) the frames {@code frames} gives; packetTypes null: all 0. */
    private static long writeSyntheticBlock(MemorySegment memory, long block, int[] frameLengths, int count,
                                            Supplier<byte[]> frames, long firstNanos, boolean tagged, int[] packetTypes) {
        int mac = 82; // what the kernel uses for Ethernet: header (48) + sockaddr_ll room, aligned
        long packet = block + TpacketBlockDesc.SIZE;
        memory.set(JAVA_INT, block + TpacketBlockDesc.VERSION_OFFSET, 2);
        memory.set(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_PRIV_OFFSET, TpacketBlockDesc.SIZE);
        memory.set(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET, count);
        memory.set(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET, TpacketBlockDesc.SIZE);
        for (int i = 0; i < count; i++) {
            byte[] frame = frameLengths == null ? frames.get() : null;
            int length = frame != null ? frame.length : frameLengths[i];
            int next = (mac + length + 15) & ~15;
            long nanos = firstNanos + i * 1000L;
            memory.set(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET, i == count - 1 ? 0 : next);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.SEC_OFFSET, (int) (nanos / NANOS_PER_SECOND));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.NSEC_OFFSET, (int) (nanos % NANOS_PER_SECOND));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.SNAPLEN_OFFSET, length);
            memory.set(JAVA_INT, packet + Tpacket3Hdr.LEN_OFFSET, length);
            boolean tag = tagged && (i & 7) == 0;
            memory.set(JAVA_INT, packet + Tpacket3Hdr.STATUS_OFFSET, tag
                    ? TpacketBlockDesc.TP_STATUS_USER | Tpacket3Hdr.TP_STATUS_VLAN_VALID | Tpacket3Hdr.TP_STATUS_VLAN_TPID_VALID
                    : TpacketBlockDesc.TP_STATUS_USER);
            memory.set(JAVA_BYTE, packet + Tpacket3Hdr.PKTTYPE_OFFSET, (byte) (packetTypes == null ? 0 : packetTypes[i]));
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.MAC_OFFSET, (short) mac);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.NET_OFFSET, (short) (mac + 14));
            memory.set(JAVA_INT, packet + Tpacket3Hdr.VLAN_TCI_OFFSET, tag ? 100 : 0);
            memory.set(JAVA_SHORT, packet + Tpacket3Hdr.VLAN_TPID_OFFSET, (short) (tag ? 0x8100 : 0));
            if (frame != null) {
                MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, packet + mac, length);
            } else {
                for (int b = 0; b < length; b++) {
                    memory.set(ValueLayout.JAVA_BYTE, packet + mac + b, (byte) (i + b));
                }
            }
            packet += next;
        }
        long used = packet - block;
        memory.set(JAVA_INT, block + TpacketBlockDesc.BLK_LEN_OFFSET, (int) used);
        INT_HANDLE.setRelease(memory, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET, TpacketBlockDesc.TP_STATUS_USER);
        return used;
    }
}
