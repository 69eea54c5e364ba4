package gulp.capture;

import java.lang.foreign.MemorySegment;

/**
 * What a source hands each packet to, on the reader thread: filtering, decapsulation, encoding into
 * the ring and counting all happen behind this interface.
 */
public interface PacketHandler {
    /** No VLAN tag to put back into the frame. */
    int NO_VLAN_TAG = -1;

    /**
     * One packet: {@code caplen} bytes at {@code offset} of {@code data}, originally {@code wirelen}
     * bytes long, received at {@code timestampNanos} since the epoch. {@code vlanTag} is
     * {@code tpid << 16 | tci} of an outer tag the kernel stripped, or {@link #NO_VLAN_TAG}.
     */
    void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag);

    /**
     * A live packet, with its {@code packetType} (sll_pkttype: host, broadcast, multicast, other
     * host) as well, for filters that ask for it. By default the type is ignored.
     */
    default void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                          int packetType) {
        onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag);
    }

    /**
     * A live packet with its {@code tp_status} as well (the checksum bits go into pcapng's
     * {@code epb_flags}, see {@link PacketFlags}). By default the status is ignored.
     */
    default void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                          int packetType, int tpStatus) {
        onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag, packetType);
    }

    /** A live packet of a direction not captured ({@code -Q}, or loopback's outgoing copy): counted only. */
    default void onSkippedByDirection() {
    }

    /**
     * Whether {@link #onRecords} takes runs of whole classic pcap records (little-endian, of
     * {@code nanosecond} resolution) as they are: the snap length up to which it does (see
     * {@link gulp.format.RecordEncoder#verbatimSnaplen}), or -1 when every packet must come
     * through {@link #onPacket} (the default; a filter, decapsulation or a count limit, another
     * output format). Asked before a run of records, never per packet.
     */
    default int verbatimSnaplen(boolean nanosecond) {
        return -1;
    }

    /** The most bytes one {@link #onRecords} call takes. */
    default long verbatimRunBytes() {
        return 0;
    }

    /**
     * {@code count} whole pcap records, {@code length} bytes of {@code data} from {@code offset},
     * each one the path would write unchanged (as {@link #verbatimSnaplen} allowed), handed over
     * in one piece: the same as {@link #onPacket} for each in turn, without decoding them.
     */
    default void onRecords(MemorySegment data, long offset, long length, int count) {
        throw new UnsupportedOperationException("records are handed over one by one here");
    }

    /** The source finished a batch (a kernel block, an input buffer): make it visible to the writer. */
    void onBatchEnd();

    /** Sources check this between batches; true once the run must end. */
    boolean stopRequested();

    /**
     * Whether a batch whose records take at most {@code bytes} may be handed over now. A live
     * source asks before each kernel block: false means "leave the block in the kernel ring for
     * now" (the default for live capture); with {@code --no-hold-kernel-blocks} it is always true
     * and what does not fit is dropped and counted.
     */
    default boolean mayTake(long bytes) {
        return true;
    }

    /**
     * True while the writer says its output is stalled (a Kafka producer refusing records, a full
     * disk): what is lost meanwhile is the stall's. A volatile read: asked only while a block is
     * held or a packet is dropped, never per packet stored.
     */
    default boolean outputStalled() {
        return false;
    }

    /**
     * A capture interface whose packets follow (a live interface at start, an input file's
     * interface, a mirror session seen for the first time); returns its id, 0 upwards in the order
     * declared. Called on the reader thread, never per packet. The default (classic pcap, one
     * interface) records nothing and answers 0.
     */
    default int declareInterface(gulp.format.CaptureInterface description) {
        return 0;
    }

    /** The packets handed over from now on come from interface {@code interfaceId} (see {@link #declareInterface}). */
    default void selectInterface(int interfaceId) {
    }
}
