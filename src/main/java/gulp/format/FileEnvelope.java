package gulp.format;

import gulp.ring.ByteRingConsumer;

/**
 * What every output file starts and ends with, around the records the writer drains from the
 * ring: the run gives it to the sink, which writes {@link #header()} when it starts a file and
 * {@link #trailer()} when it finishes one. Classic pcap: a fixed 24-byte header and no trailer;
 * pcapng ({@link PcapngEnvelope}): a section header and the interface descriptions seen so far,
 * and interface statistics at the end. The writer shows it the records it writes when
 * {@link #watchesRecords()} (never for classic pcap). Writer thread only.
 */
public interface FileEnvelope {
    byte[] NOTHING = new byte[0];

    /** The bytes a file started now begins with (empty for opaque {@code -c} copies). */
    byte[] header();

    /** The bytes the file finished now ends with (empty: none). */
    default byte[] trailer() {
        return NOTHING;
    }

    /** Whether {@link #onRecord} wants to see every record written. */
    default boolean watchesRecords() {
        return false;
    }

    /**
     * A record of {@code length} bytes at {@code position} is being written (whole and published,
     * not yet released); {@code packet} is the framing's {@link RecordFraming#isPacket} of it, which
     * the writer has read already, {@code packetsBefore} the packets written before it. Called in
     * stream order for every record that is not a packet, and for the packets too while the last
     * call returned true (the answer to "show me the packets one by one from now on").
     */
    default boolean onRecord(ByteRingConsumer ring, long position, long length, boolean packet, long packetsBefore) {
        return false;
    }

    /** Every packet written so far, {@code total}: told after each write (not per record). */
    default void packetsWritten(long total) {
    }

    /** A fixed header and no trailer: classic pcap, or nothing at all for {@code -c}. */
    static FileEnvelope fixed(byte[] header) {
        byte[] copy = header.clone();
        return () -> copy;
    }
}
