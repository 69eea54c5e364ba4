package gulp.format;

import gulp.decap.EthernetHeader;
import gulp.ring.ByteRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.LONG_LE;

/**
 * Turns packets into pcapng enhanced packet blocks in the ring (little-endian, nanosecond
 * timestamps: every interface gulp describes has {@code if_tsresol} 9), with {@code epb_flags} and
 * {@code epb_dropcount} when known; interfaces become interface description blocks in the stream
 * ({@link #appendInterface}). Layout in {@link PcapngBlock}:
 * <pre>
 *  0 type 6 | 4 total length | 8 interface id | 12 ts high | 16 ts low | 20 caplen | 24 wire length
 * 28 data, zero-padded to 32 bits
 *    [epb_flags: 2 | 4<<16, flags] [epb_dropcount: 4 | 8<<16, low, high] [end of options: 0]
 *    total length
 * </pre>
 * Used on the reader thread only; allocation-free per packet. A block that lies in one piece in the
 * ring (all but one a ring pass) is written in place with a few wide stores; one that straddles the
 * ring's end goes through the ring's puts (its tail, with a drop count, assembled in a scratch
 * segment of its own and copied once). Both write the same bytes.
 */
public final class PcapngRecordEncoder implements RecordEncoder {
    private static final int FLAGS_OPTION_LENGTH = PcapngBlock.OPTION_HEADER_LENGTH + 4;
    private static final int DROPCOUNT_OPTION_LENGTH = PcapngBlock.OPTION_HEADER_LENGTH + 8;
    private static final int FLAGS_OPTION_HEADER = PcapngBlock.EPB_OPTION_FLAGS | 4 << 16;
    private static final int DROPCOUNT_OPTION_HEADER = PcapngBlock.EPB_OPTION_DROPCOUNT | 8 << 16;
    private static final int TAIL_MAX = 3 + FLAGS_OPTION_LENGTH + DROPCOUNT_OPTION_LENGTH + 4 + 4;

    private final int snaplen;
    private final String os;
    private final MemorySegment vlanScratch;
    private final MemorySegment tail; // padding, options and the trailing length of one block

    /** @param os {@code if_os} of the interfaces described (e.g. {@code Linux 6.12.0}) */
    public PcapngRecordEncoder(int snaplen, String os) {
        this.snaplen = snaplen;
        this.os = os;
        Arena arena = Arena.ofAuto();
        this.vlanScratch = arena.allocate(EthernetHeader.VLAN_TAG_LENGTH, 8);
        this.tail = arena.allocate(TAIL_MAX + 1, 8);
    }

    @Override
    public RecordFraming framing() {
        return PcapngRecordFraming.INSTANCE;
    }

    @Override
    public long append(ByteRing.Producer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                       MemorySegment data, long offset, int caplen, int wirelen) {
        int stored = Math.min(caplen, snaplen);
        int length = PcapngBlock.EPB_DATA_OFFSET + stored + tailLength(stored, flags, dropsBefore);
        if (!ring.tryClaim(length)) {
            return 0;
        }
        long at = ring.claimedIndexIfContiguous();
        if (at >= 0) { // all but the one block a ring pass that straddles the end
            MemorySegment buffer = ring.buffer();
            long dataAt = at + PcapngBlock.EPB_DATA_OFFSET;
            // The tail first: its first store starts 4 bytes before the padded data's end, so it
            // zeroes the padding (and up to 4 bytes of data or header that are written after it).
            putTailAt(buffer, dataAt + PcapngBlock.padded(stored), flags, dropsBefore, length);
            putHeaderAt(buffer, at, length, interfaceId, timestampNanos, stored, wirelen);
            MemorySegment.copy(data, offset, buffer, dataAt, stored);
            ring.commitClaimed();
            return length;
        }
        return appendStraddling(ring, length, timestampNanos, interfaceId, flags, dropsBefore, data, offset, stored, wirelen);
    }

    /** {@link #append} of a block that straddles the ring's end (once a ring pass): through the ring's puts. */
    private long appendStraddling(ByteRing.Producer ring, int length, long timestampNanos, int interfaceId, int flags,
                                  long dropsBefore, MemorySegment data, long offset, int stored, int wirelen) {
        putHeader(ring, length, interfaceId, timestampNanos, stored, wirelen);
        ring.put(data, offset, stored);
        putTail(ring, stored, flags, dropsBefore, length);
        ring.commit();
        return length;
    }

    @Override
    public long appendWithVlanTag(ByteRing.Producer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                                  int tag, MemorySegment data, long offset, int caplen, int wirelen) {
        if (!PcapRecordEncoder.hasRoomForVlanTag(caplen)) {
            return append(ring, timestampNanos, interfaceId, flags, dropsBefore, data, offset, caplen, wirelen);
        }
        int stored = Math.min(caplen + EthernetHeader.VLAN_TAG_LENGTH, snaplen);
        long length = PcapngBlock.EPB_DATA_OFFSET + stored + tailLength(stored, flags, dropsBefore);
        if (!ring.tryClaim(length)) {
            return 0;
        }
        putHeader(ring, (int) length, interfaceId, timestampNanos, stored, wirelen + EthernetHeader.VLAN_TAG_LENGTH);
        PcapRecordEncoder.putFrameWithVlanTag(ring, vlanScratch, tag, data, offset, stored);
        putTail(ring, stored, flags, dropsBefore, (int) length);
        ring.commit();
        return length;
    }

    @Override
    public long appendInterface(ByteRing.Producer ring, CaptureInterface description) {
        int cut = description.snaplen() > 0 ? Math.min(description.snaplen(), snaplen) : snaplen;
        byte[] block = PcapngBlocks.interfaceDescription(new CaptureInterface(description.name(),
                description.description(), description.linkType(), cut, description.filter()), os);
        if (!ring.tryClaim(block.length)) {
            return 0;
        }
        ring.put(MemorySegment.ofArray(block), 0, block.length);
        ring.commit();
        return block.length;
    }

    /**
     * The header up to the data (28 bytes) at {@code at} in the ring's buffer, as three 64-bit
     * stores and one 32-bit store (the same bytes as {@link #putHeader}); written after the tail
     * (see {@link #putTailAt}).
     */
    private static void putHeaderAt(MemorySegment buffer, long at, int length, int interfaceId, long timestampNanos,
                                    int caplen, int wirelen) {
        buffer.set(LONG_LE, at, Endian.wordsLittleEndian(PcapngBlock.TYPE_ENHANCED_PACKET, length));
        buffer.set(LONG_LE, at + PcapngBlock.EPB_INTERFACE_OFFSET,
                Endian.wordsLittleEndian(interfaceId, (int) (timestampNanos >>> 32)));
        buffer.set(LONG_LE, at + PcapngBlock.EPB_TS_LOW_OFFSET, Endian.wordsLittleEndian((int) timestampNanos, caplen));
        buffer.set(INT_LE, at + PcapngBlock.EPB_WIRELEN_OFFSET, Math.max(wirelen, caplen));
    }

    /**
     * What follows the data, for a block whose padded data ends at {@code end} in the ring's
     * buffer: the padding, the options (if any) and the trailing length (the same bytes as
     * {@link #putTail}). The first store is 64 bits at {@code end - 4}: its zero low half is the
     * padding (at most 3 bytes, all within those 4) and overwrites the 4 bytes before it, which the
     * caller writes afterwards (the data's last bytes, or with no data the header's wire length).
     * Without options that one store is the whole tail; {@code epb_flags} adds a second 64-bit store
     * and a 32-bit one.
     */
    private static void putTailAt(MemorySegment buffer, long end, int flags, long dropsBefore, int length) {
        if (flags == 0 && dropsBefore <= 0) {
            buffer.set(LONG_LE, end - 4, (long) length << 32);
            return;
        }
        buffer.set(INT_LE, end - 4, 0);
        long next = end;
        if (flags != 0) {
            buffer.set(LONG_LE, next, Endian.wordsLittleEndian(FLAGS_OPTION_HEADER, flags));
            next += FLAGS_OPTION_LENGTH;
        }
        if (dropsBefore > 0) {
            buffer.set(INT_LE, next, DROPCOUNT_OPTION_HEADER);
            buffer.set(LONG_LE, next + PcapngBlock.OPTION_HEADER_LENGTH, dropsBefore);
            next += DROPCOUNT_OPTION_LENGTH;
        }
        buffer.set(LONG_LE, next, Endian.wordsLittleEndian(PcapngBlock.OPTION_END, length));
    }

    /** The header up to the data: 28 bytes, through the ring's puts (a block that straddles the ring's end). */
    private static void putHeader(ByteRing.Producer ring, int length, int interfaceId, long timestampNanos, int caplen,
                                  int wirelen) {
        ring.putIntsLittleEndian(PcapngBlock.TYPE_ENHANCED_PACKET, length, interfaceId, (int) (timestampNanos >>> 32));
        ring.putIntsLittleEndian((int) timestampNanos, caplen, Math.max(wirelen, caplen));
    }

    /** The length of what follows {@code stored} bytes of data: padding, options, trailing length. */
    private static int tailLength(int stored, int flags, long dropsBefore) {
        int options = (flags != 0 ? FLAGS_OPTION_LENGTH : 0) + (dropsBefore > 0 ? DROPCOUNT_OPTION_LENGTH : 0);
        return PcapngBlock.padded(stored) - stored + (options > 0 ? options + 4 : 0) + 4;
    }

    /**
     * Writes what follows the data straight into the ring in the common cases (no options: the
     * trailing length; {@code epb_flags} only: four ints), through {@link #tail} with a drop count.
     */
    private void putTail(ByteRing.Producer ring, int stored, int flags, long dropsBefore, int length) {
        if (dropsBefore > 0) {
            ring.put(tail, 0, tail(stored, flags, dropsBefore));
            return;
        }
        ring.putZeros(PcapngBlock.padded(stored) - stored);
        if (flags != 0) {
            ring.putIntsLittleEndian(FLAGS_OPTION_HEADER, flags, PcapngBlock.OPTION_END, length);
        } else {
            ring.putIntLittleEndian(length);
        }
    }

    /**
     * Assembles what follows {@code stored} bytes of data in {@link #tail}: the padding, the
     * options (if any) and the trailing length; returns its length.
     */
    private int tail(int stored, int flags, long dropsBefore) {
        int padding = PcapngBlock.padded(stored) - stored;
        int at = 0;
        for (int i = 0; i < padding; i++) { // at most 3 bytes
            tail.set(ValueLayout.JAVA_BYTE, at++, (byte) 0);
        }
        boolean options = flags != 0 || dropsBefore > 0;
        if (flags != 0) {
            tail.set(INT_LE, at, FLAGS_OPTION_HEADER);
            tail.set(INT_LE, at + 4, flags);
            at += FLAGS_OPTION_LENGTH;
        }
        if (dropsBefore > 0) {
            tail.set(INT_LE, at, DROPCOUNT_OPTION_HEADER);
            tail.set(INT_LE, at + 4, (int) dropsBefore);
            tail.set(INT_LE, at + 8, (int) (dropsBefore >>> 32));
            at += DROPCOUNT_OPTION_LENGTH;
        }
        if (options) {
            tail.set(INT_LE, at, PcapngBlock.OPTION_END);
            at += 4;
        }
        int length = PcapngBlock.EPB_DATA_OFFSET + stored + at + 4;
        tail.set(INT_LE, at, length);
        return at + 4;
    }

}
