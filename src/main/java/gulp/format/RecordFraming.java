package gulp.format;

import gulp.ring.ByteRingConsumer;

import java.lang.foreign.MemorySegment;

import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.LONG_LE;

/**
 * How the writer finds record boundaries in the ring's byte stream, so it can count records and
 * cut files between them. The stream is what a {@link RecordEncoder} wrote; each encoder gives its
 * framing ({@link RecordEncoder#framing()}).
 */
public interface RecordFraming {
    /** Length of the record starting at {@code position} (its header must be published). */
    long recordLength(ByteRingConsumer ring, long position);

    /** Timestamp of the record at {@code position}, in nanoseconds since the epoch. */
    long timestampNanos(ByteRingConsumer ring, long position);

    /** Bytes from the start of the record at {@code position} to its packet data (its header length). */
    long dataOffset(ByteRingConsumer ring, long position);

    /** Captured length (bytes of packet data) of the record at {@code position}. */
    int capturedLength(ByteRingConsumer ring, long position);

    /**
     * Original (wire) length of the packet at {@code position}; by default its captured length
     * (added for the Kafka sink, which re-frames packets as pcapng enhanced packet blocks).
     */
    default int originalLength(ByteRingConsumer ring, long position) {
        return capturedLength(ring, position);
    }

    /**
     * Whether the record at {@code position} holds a packet (false for blocks that describe the
     * capture, such as a pcapng interface description written mid-stream). Classic pcap: always.
     */
    default boolean isPacket(ByteRingConsumer ring, long position) {
        return true;
    }

    /**
     * The writer's walk in one call: the length of the record at {@code position}, negated if the
     * record holds no packet ({@link #isPacket}). A framing overrides it to read both at once.
     */
    default long signedRecordLength(ByteRingConsumer ring, long position) {
        long length = recordLength(ring, position);
        return isPacket(ring, position) ? length : -length;
    }

    /*
     * A packet record's fields read where its header lies whole in the ring's memory (the index
     * reads each record once, at {@link ByteRingConsumer#indexOf}): one address computation per
     * record instead of one per field.
     */

    /** Bytes from the start of a packet record to its data (a packet record's header length). */
    long packetDataOffset();

    /** {@link #timestampNanos} of the packet record whose header lies whole at {@code at} in {@code memory}. */
    long packetTimestampAt(MemorySegment memory, long at);

    /** {@link #capturedLength} of the packet record whose header lies whole at {@code at} in {@code memory}. */
    int packetCapturedLengthAt(MemorySegment memory, long at);

    /** The interface id ({@link gulp.capture.PacketHandler#declareInterface}) of the packet at {@code position}; 0 for classic pcap. */
    default int interfaceId(ByteRingConsumer ring, long position) {
        return 0;
    }

    /** Classic pcap records as written by {@link PcapRecordEncoder} (little-endian {@link PcapRecordHeader}s). */
    static RecordFraming pcap(boolean nanosecond) {
        return new RecordFraming() {
            @Override
            public long recordLength(ByteRingConsumer ring, long position) {
                return PcapRecordHeader.recordLength(ring.intLittleEndianAt(position + PcapRecordHeader.CAPLEN_OFFSET));
            }

            @Override
            public long signedRecordLength(ByteRingConsumer ring, long position) {
                return recordLength(ring, position); // every record is a packet
            }

            @Override
            public long dataOffset(ByteRingConsumer ring, long position) {
                return PcapRecordHeader.LENGTH;
            }

            @Override
            public int capturedLength(ByteRingConsumer ring, long position) {
                return ring.intLittleEndianAt(position + PcapRecordHeader.CAPLEN_OFFSET);
            }

            @Override
            public int originalLength(ByteRingConsumer ring, long position) {
                return ring.intLittleEndianAt(position + PcapRecordHeader.WIRELEN_OFFSET);
            }

            @Override
            public long timestampNanos(ByteRingConsumer ring, long position) {
                return PcapRecordHeader.timestampNanos(ring.intLittleEndianAt(position + PcapRecordHeader.TS_SECONDS_OFFSET),
                        ring.intLittleEndianAt(position + PcapRecordHeader.TS_FRACTION_OFFSET), nanosecond);
            }

            @Override
            public long packetDataOffset() {
                return PcapRecordHeader.LENGTH;
            }

            @Override
            public long packetTimestampAt(MemorySegment memory, long at) {
                long both = memory.get(LONG_LE, at + PcapRecordHeader.TS_SECONDS_OFFSET); // the fraction follows the seconds
                return PcapRecordHeader.timestampNanos((int) both, (int) (both >>> 32), nanosecond);
            }

            @Override
            public int packetCapturedLengthAt(MemorySegment memory, long at) {
                return memory.get(INT_LE, at + PcapRecordHeader.CAPLEN_OFFSET);
            }
        };
    }
}
