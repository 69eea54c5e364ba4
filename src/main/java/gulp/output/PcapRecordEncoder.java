package gulp.output;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.ring.ByteRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.SHORT_LE;

/**
 * Turns packets into classic pcap records in the ring (little-endian, as tcpdump writes on x86),
 * with microsecond or nanosecond timestamps. Used on the reader thread only; allocation-free.
 */
public final class PcapRecordEncoder {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Where an 802.1Q tag goes back into an Ethernet frame: after destination and source MAC. */
    private static final int VLAN_INSERT_OFFSET = 12;
    private static final int VLAN_TAG_LENGTH = 4;

    private final boolean nanosecond;
    private final int snaplen;
    private final MemorySegment scratch;

    public PcapRecordEncoder(boolean nanosecond, int snaplen) {
        this.nanosecond = nanosecond;
        this.snaplen = snaplen;
        this.scratch = Arena.ofAuto().allocate(VLAN_TAG_LENGTH, 8); // the VLAN tag to insert
    }

    /** The 24-byte file header every output file starts with. */
    public byte[] fileHeader(int linkType) {
        return fileHeader(nanosecond, snaplen, linkType);
    }

    public static byte[] fileHeader(boolean nanosecond, int snaplen, int linkType) {
        MemorySegment header = MemorySegment.ofArray(new byte[PcapFileHeader.LENGTH]);
        header.set(INT_LE, PcapFileHeader.MAGIC_OFFSET, nanosecond ? PcapFileHeader.MAGIC_NANOS : PcapFileHeader.MAGIC_MICROS);
        header.set(SHORT_LE, PcapFileHeader.VERSION_MAJOR_OFFSET, PcapFileHeader.VERSION_MAJOR);
        header.set(SHORT_LE, PcapFileHeader.VERSION_MINOR_OFFSET, PcapFileHeader.VERSION_MINOR);
        header.set(INT_LE, PcapFileHeader.SNAPLEN_OFFSET, snaplen);
        header.set(INT_LE, PcapFileHeader.LINKTYPE_OFFSET, linkType);
        return header.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Claims room and writes one record; returns the record's length, or 0 if the ring is full
     * (nothing written). The caller publishes.
     */
    public long append(ByteRing.Producer ring, long timestampNanos, MemorySegment data, long offset, int caplen, int wirelen) {
        int stored = Math.min(caplen, snaplen);
        long length = PcapRecordHeader.LENGTH + stored;
        if (!ring.tryClaim(length)) {
            return 0;
        }
        putHeader(ring, timestampNanos, stored, wirelen);
        ring.put(data, offset, stored);
        ring.commit();
        return length;
    }

    /**
     * Writes an Ethernet frame with an 802.1Q/802.1ad tag put back after the MAC addresses (the
     * kernel moved it into the packet metadata); {@code tag} is {@code tpid << 16 | tci}.
     */
    public long appendWithVlanTag(ByteRing.Producer ring, long timestampNanos, int tag,
                                  MemorySegment data, long offset, int caplen, int wirelen) {
        if (caplen < VLAN_INSERT_OFFSET) {
            return append(ring, timestampNanos, data, offset, caplen, wirelen);
        }
        int stored = Math.min(caplen + VLAN_TAG_LENGTH, snaplen);
        long length = PcapRecordHeader.LENGTH + stored;
        if (!ring.tryClaim(length)) {
            return 0;
        }
        putHeader(ring, timestampNanos, stored, wirelen + VLAN_TAG_LENGTH);
        scratch.set(INT_BE, 0, tag);
        int macs = Math.min(VLAN_INSERT_OFFSET, stored);
        ring.put(data, offset, macs);
        int tagBytes = Math.min(VLAN_TAG_LENGTH, stored - macs);
        ring.put(scratch, 0, tagBytes);
        ring.put(data, offset + macs, stored - macs - tagBytes);
        ring.commit();
        return length;
    }

    /**
     * The 16-byte record header, written straight into the claimed record (no staging copy); the
     * argument order is the field order of {@link PcapRecordHeader} (seconds, fraction, caplen,
     * wire length).
     */
    private void putHeader(ByteRing.Producer ring, long timestampNanos, int caplen, int wirelen) {
        long seconds = Math.floorDiv(timestampNanos, NANOS_PER_SECOND);
        long fraction = Math.floorMod(timestampNanos, NANOS_PER_SECOND);
        ring.putIntsLittleEndian((int) seconds, (int) (nanosecond ? fraction : fraction / 1000), caplen,
                Math.max(wirelen, caplen));
    }
}
