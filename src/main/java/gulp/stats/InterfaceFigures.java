package gulp.stats;

/**
 * Per-interface figures for readers outside the hot path (pcapng interface statistics blocks,
 * metrics, reports), read from any thread. Interface ids are those of
 * {@link gulp.capture.PacketHandler#declareInterface}, 0 upwards. A figure the source cannot know
 * is {@link #UNKNOWN}.
 */
public interface InterfaceFigures {
    long UNKNOWN = -1;

    /** Interfaces declared so far. */
    int count();

    String name(int id);

    /** Packets the kernel counted for this interface's socket (PACKET_STATISTICS tp_packets, drops included). */
    long kernelReceived(int id);

    /** Packets the kernel dropped because its ring was full (tp_drops). */
    long kernelDropped(int id);

    /** Packets the interface (NIC) dropped since the start (rx_missed_errors + rx_fifo_errors). */
    long interfaceDropped(int id);

    /** Packets gulp dropped because its own ring was full. */
    long ringFullDropped(int id);

    /** Packets the user-space filter rejected. */
    long filteredOut(int id);

    /** Records gulp put into its ring for this interface. */
    long recordsStored(int id);

    /**
     * Bytes of this interface's kernel ring (TPACKET_V3) held for gulp now: blocks the kernel has
     * handed to user space and gulp has not given back yet. Counted when asked, so reading it costs
     * a look at every block header: for scrapes and status ticks, not per packet.
     */
    default long kernelRingUsedBytes(int id) {
        return UNKNOWN;
    }

    /** The most {@link #kernelRingUsedBytes} has been when it was read (so far in this run). */
    default long kernelRingPeakUsedBytes(int id) {
        return UNKNOWN;
    }

    /** Size of this interface's kernel ring (-B), or {@link #UNKNOWN}. */
    default long kernelRingCapacityBytes(int id) {
        return UNKNOWN;
    }

    /**
     * Packets that left gulp's ring but never reached Kafka (undelivered, unsent at the stop): the
     * capture box's, for the files {@code kafka-consume} writes. Those lost in the rings while Kafka
     * refused are in {@link #kernelDropped} and {@link #ringFullDropped} already.
     */
    default long kafkaDropped(int id) {
        return UNKNOWN;
    }

    /** Today's single interface (or input), all figures from the run's totals. */
    static InterfaceFigures single(String name, CaptureCounters counters, boolean live) {
        return new InterfaceFigures() {
            @Override
            public int count() {
                return 1;
            }

            @Override
            public String name(int id) {
                return name;
            }

            @Override
            public long kernelReceived(int id) {
                return live ? counters.kernelReceived.get() : UNKNOWN;
            }

            @Override
            public long kernelDropped(int id) {
                return live ? counters.kernelDropped.get() : UNKNOWN;
            }

            @Override
            public long interfaceDropped(int id) {
                return live ? counters.interfaceDropped.get() : UNKNOWN;
            }

            @Override
            public long ringFullDropped(int id) {
                return counters.droppedRingFull.get();
            }

            @Override
            public long filteredOut(int id) {
                return counters.filteredOut.get();
            }

            @Override
            public long recordsStored(int id) {
                return counters.recordsStored.get();
            }
        };
    }
}
