package gulp.format;

import gulp.ring.ByteRingProducer;

import java.lang.foreign.MemorySegment;

/**
 * Writes packets as records of one capture file format into the ring, and gives the
 * {@link RecordFraming} the writer walks the records with. Used on the reader thread only;
 * implementations allocate nothing per packet. {@link PcapRecordEncoder} writes classic pcap,
 * {@link PcapngRecordEncoder} pcapng enhanced packet blocks. What every output file starts and
 * ends with is the run's {@link FileEnvelope}.
 */
public interface RecordEncoder {
    /** How the writer finds the boundaries and timestamps of the records this encoder writes. */
    RecordFraming framing();

    /**
     * Claims room and writes one record of {@code caplen} bytes at {@code offset} in {@code data}
     * (cut to the snap length); returns the record's length, or 0 if the ring is full (nothing
     * written). The caller publishes.
     *
     * @param interfaceId the packet's interface ({@link gulp.capture.PacketHandler#declareInterface})
     * @param flags       pcapng {@code epb_flags} (direction, reception, checksum bits), 0 if unknown
     * @param dropsBefore packets of this interface lost since its previous record ({@code epb_dropcount}), 0 if none
     */
    long append(ByteRingProducer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                MemorySegment data, long offset, int caplen, int wirelen);

    /**
     * As {@link #append}, for an Ethernet frame with an 802.1Q/802.1ad tag put back after the MAC
     * addresses (the kernel moved it into the packet metadata); {@code tag} is {@code tpid << 16 | tci}.
     */
    long appendWithVlanTag(ByteRingProducer ring, long timestampNanos, int interfaceId, int flags, long dropsBefore,
                           int tag, MemorySegment data, long offset, int caplen, int wirelen);

    /**
     * The snap length up to which this encoder writes a classic little-endian pcap record of
     * {@code nanosecond} resolution exactly as it came, when the record's header holds what
     * {@link #append} would put there (its timestamp's fields, a captured length up to this, a wire
     * length no smaller): so such records may be copied into the ring as they are. -1 when it
     * never does (pcapng, the other resolution).
     */
    default int verbatimSnaplen(boolean nanosecond) {
        return -1;
    }

    /**
     * Writes a record that describes a capture interface into the stream (a pcapng interface
     * description block); returns its length, 0 if the ring is full, or -1 if this format does not
     * record interfaces (classic pcap: nothing is written). Not on the per-packet path.
     */
    default long appendInterface(ByteRingProducer ring, CaptureInterface description) {
        return -1;
    }
}
