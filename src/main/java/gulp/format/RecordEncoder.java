package gulp.format;

import gulp.ring.ByteRing;

import java.lang.foreign.MemorySegment;

/**
 * Writes packets as records of one capture file format into the ring, and gives the file header
 * every output file starts with and the {@link RecordFraming} the writer walks the records with.
 * Used on the reader thread only; implementations allocate nothing per packet.
 * {@link PcapRecordEncoder} writes classic pcap.
 */
public interface RecordEncoder {
    /** The header every output file starts with, for frames of this link-type field. */
    byte[] fileHeader(int linkTypeField);

    /** How the writer finds the boundaries and timestamps of the records this encoder writes. */
    RecordFraming framing();

    /**
     * Claims room and writes one record of {@code caplen} bytes at {@code offset} in {@code data}
     * (cut to the snap length); returns the record's length, or 0 if the ring is full (nothing
     * written). The caller publishes.
     */
    long append(ByteRing.Producer ring, long timestampNanos, MemorySegment data, long offset, int caplen, int wirelen);

    /**
     * As {@link #append}, for an Ethernet frame with an 802.1Q/802.1ad tag put back after the MAC
     * addresses (the kernel moved it into the packet metadata); {@code tag} is {@code tpid << 16 | tci}.
     */
    long appendWithVlanTag(ByteRing.Producer ring, long timestampNanos, int tag,
                           MemorySegment data, long offset, int caplen, int wirelen);
}
