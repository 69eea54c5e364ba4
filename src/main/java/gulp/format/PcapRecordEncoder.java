package gulp.format;

import gulp.ring.ByteRingProducer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.LONG_LE;

/**
 * Turns packets into classic pcap records in the ring (little-endian, as tcpdump writes on x86),
 * with microsecond or nanosecond timestamps. Used on the reader thread only; allocation-free. A
 * record in one piece in the ring is written in place (two 64-bit stores and the copy of the data);
 * one that straddles the ring's end goes through the ring's puts.
 */
public final class PcapRecordEncoder implements RecordEncoder {
    // The file formats stay below the decapsulator's descriptors (gulp.decap imports gulp.format's
    // LinkType, not the other way round), so these two restate EthernetHeader.ETHERTYPE_OFFSET and
    // VLAN_TAG_LENGTH; PcapRecordEncoderTest checks that they agree.
    /** Where an 802.1Q tag goes back into an Ethernet frame: after destination and source MAC. */
    static final int VLAN_INSERT_OFFSET = 12;
    static final int VLAN_TAG_LENGTH = 4;

    private final boolean nanosecond;
    private final int snaplen;
    private final MemorySegment scratch;

    public PcapRecordEncoder(boolean nanosecond, int snaplen) {
        this.nanosecond = nanosecond;
        this.snaplen = snaplen;
        this.scratch = Arena.ofAuto().allocate(VLAN_TAG_LENGTH, 8); // the VLAN tag to insert
    }

    /** The 24-byte little-endian {@link PcapFileHeader} every output file starts with. */
    public byte[] fileHeader(int linkTypeField) {
        return PcapFileHeader.encode(ByteOrder.LITTLE_ENDIAN, nanosecond, snaplen, linkTypeField);
    }

    @Override
    public int verbatimSnaplen(boolean nanosecond) {
        return nanosecond == this.nanosecond ? snaplen : -1;
    }

    @Override
    public RecordFraming framing() {
        return RecordFraming.pcap(nanosecond);
    }

    @Override
    public long append(ByteRingProducer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                       MemorySegment data, long offset, int caplen, int wirelen) {
        int stored = Math.min(caplen, snaplen);
        long length = PcapRecordHeader.LENGTH + stored;
        if (!ring.tryClaim(length)) {
            return 0;
        }
        long at = ring.claimedIndexIfContiguous();
        if (at >= 0) { // all but the one record a ring pass that straddles the end
            MemorySegment buffer = ring.buffer();
            buffer.set(LONG_LE, at, Endian.wordsLittleEndian(PcapRecordHeader.secondsField(timestampNanos),
                    PcapRecordHeader.fractionField(timestampNanos, nanosecond)));
            buffer.set(LONG_LE, at + PcapRecordHeader.CAPLEN_OFFSET, Endian.wordsLittleEndian(stored, Math.max(wirelen, stored)));
            MemorySegment.copy(data, offset, buffer, at + PcapRecordHeader.LENGTH, stored);
            ring.commitClaimed();
            return length;
        }
        putHeader(ring, timestampNanos, stored, wirelen);
        ring.put(data, offset, stored);
        ring.commit();
        return length;
    }

    @Override
    public long appendWithVlanTag(ByteRingProducer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                                  int tag, MemorySegment data, long offset, int caplen, int wirelen) {
        if (!hasRoomForVlanTag(caplen)) {
            return append(ring, timestampNanos, interfaceId, flags, dropsBefore, data, offset, caplen, wirelen);
        }
        int stored = Math.min(caplen + VLAN_TAG_LENGTH, snaplen);
        long length = PcapRecordHeader.LENGTH + stored;
        if (!ring.tryClaim(length)) {
            return 0;
        }
        putHeader(ring, timestampNanos, stored, wirelen + VLAN_TAG_LENGTH);
        putFrameWithVlanTag(ring, scratch, tag, data, offset, stored);
        ring.commit();
        return length;
    }

    /** Whether a frame of {@code caplen} bytes has its MAC addresses, so a VLAN tag can go back after them. */
    static boolean hasRoomForVlanTag(int caplen) {
        return caplen >= VLAN_INSERT_OFFSET;
    }

    /**
     * Copies the first {@code stored} bytes of an Ethernet frame with {@code tag} put back after its
     * MAC addresses into the claimed record ({@code scratch}: 4 bytes of the encoder's own).
     */
    static void putFrameWithVlanTag(ByteRingProducer ring, MemorySegment scratch, int tag,
                                    MemorySegment data, long offset, int stored) {
        scratch.set(INT_BE, 0, tag);
        int macs = Math.min(VLAN_INSERT_OFFSET, stored);
        ring.put(data, offset, macs);
        int tagBytes = Math.min(VLAN_TAG_LENGTH, stored - macs);
        ring.put(scratch, 0, tagBytes);
        ring.put(data, offset + macs, stored - macs - tagBytes);
    }

    /**
     * The 16-byte record header, written straight into the claimed record (no staging copy); the
     * argument order is the field order of {@link PcapRecordHeader} (seconds, fraction, caplen,
     * wire length).
     */
    private void putHeader(ByteRingProducer ring, long timestampNanos, int caplen, int wirelen) {
        ring.putIntsLittleEndian(PcapRecordHeader.secondsField(timestampNanos),
                PcapRecordHeader.fractionField(timestampNanos, nanosecond), caplen, Math.max(wirelen, caplen));
    }
}
