package gulp.format;

import gulp.ring.ByteRingConsumer;

import java.lang.foreign.MemorySegment;

import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.LONG_LE;

/**
 * The blocks {@link PcapngRecordEncoder} writes, as the writer walks them: every block is a record
 * (its total length at offset 4); enhanced packet blocks are packets, interface descriptions
 * written mid-stream are not (they have no timestamp: {@link #NO_TIMESTAMP}).
 */
public final class PcapngRecordFraming implements RecordFraming {
    public static final PcapngRecordFraming INSTANCE = new PcapngRecordFraming();
    /** The timestamp of a block that is not a packet. */
    public static final long NO_TIMESTAMP = -1;

    private PcapngRecordFraming() {
    }

    @Override
    public long recordLength(ByteRingConsumer ring, long position) {
        return Integer.toUnsignedLong(ring.intLittleEndianAt(position + PcapngBlock.TOTAL_LENGTH_OFFSET));
    }

    /** Block type (low half) and total length (high half) in one 64-bit read. */
    @Override
    public long signedRecordLength(ByteRingConsumer ring, long position) {
        long typeAndLength = ring.longLittleEndianAt(position + PcapngBlock.TYPE_OFFSET);
        long length = typeAndLength >>> 32;
        return (int) typeAndLength == PcapngBlock.TYPE_ENHANCED_PACKET ? length : -length;
    }

    @Override
    public boolean isPacket(ByteRingConsumer ring, long position) {
        return ring.intLittleEndianAt(position + PcapngBlock.TYPE_OFFSET) == PcapngBlock.TYPE_ENHANCED_PACKET;
    }

    @Override
    public long timestampNanos(ByteRingConsumer ring, long position) {
        if (!isPacket(ring, position)) {
            return NO_TIMESTAMP;
        }
        return PcapngBlock.timestampUnits(ring.intLittleEndianAt(position + PcapngBlock.EPB_TS_HIGH_OFFSET),
                ring.intLittleEndianAt(position + PcapngBlock.EPB_TS_LOW_OFFSET));
    }

    @Override
    public long dataOffset(ByteRingConsumer ring, long position) {
        return isPacket(ring, position) ? PcapngBlock.EPB_DATA_OFFSET : PcapngBlock.BODY_OFFSET;
    }

    @Override
    public int capturedLength(ByteRingConsumer ring, long position) {
        return isPacket(ring, position) ? ring.intLittleEndianAt(position + PcapngBlock.EPB_CAPLEN_OFFSET) : 0;
    }

    @Override
    public long packetDataOffset() {
        return PcapngBlock.EPB_DATA_OFFSET;
    }

    /**
     * One 64-bit load of both timestamp words: read little-endian at the high word's offset it is
     * {@code high | low << 32}, so rotating it by 32 bits gives {@link PcapngBlock#timestampUnits}.
     */
    @Override
    public long packetTimestampAt(MemorySegment memory, long at) {
        return Long.rotateLeft(memory.get(LONG_LE, at + PcapngBlock.EPB_TS_HIGH_OFFSET), 32);
    }

    @Override
    public int packetCapturedLengthAt(MemorySegment memory, long at) {
        return memory.get(INT_LE, at + PcapngBlock.EPB_CAPLEN_OFFSET);
    }

    @Override
    public int originalLength(ByteRingConsumer ring, long position) {
        return isPacket(ring, position) ? ring.intLittleEndianAt(position + PcapngBlock.EPB_WIRELEN_OFFSET) : 0;
    }

    @Override
    public int interfaceId(ByteRingConsumer ring, long position) {
        return isPacket(ring, position) ? packetInterfaceId(ring, position) : 0;
    }

    /** The interface id of the enhanced packet block at {@code position} (known to be one: no type check). */
    static int packetInterfaceId(ByteRingConsumer ring, long position) {
        return ring.intLittleEndianAt(position + PcapngBlock.EPB_INTERFACE_OFFSET);
    }
}
