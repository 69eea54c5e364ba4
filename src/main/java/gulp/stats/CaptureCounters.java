package gulp.stats;

/**
 * Every number the end-of-run report and the {@code -V} status line show. Each counter has one
 * writing thread (noted per field); the status thread only reads.
 */
public final class CaptureCounters {
    // Reader thread.
    /** Packets (or {@code -c} chunks) the source delivered to the reader. */
    public final Counter packetsRead = new Counter();
    /** Records put into the ring. */
    public final Counter recordsStored = new Counter();
    /** Bytes put into the ring (record headers included). */
    public final Counter bytesStored = new Counter();
    /** Packets lost because the ring was full (live sources only; file input waits instead). */
    public final Counter droppedRingFull = new Counter();
    /** Packets the user-space filter rejected. */
    public final Counter filteredOut = new Counter();
    /** Live packets of a direction not captured that still reached user space ({@code -Q}, loopback). */
    public final Counter directionSkipped = new Counter();
    /** Packets decapsulation skipped (not encapsulation, malformed, or not selected). */
    public final Counter decapSkipped = new Counter();

    // Reader thread, from the kernel (live capture): totals accumulated from PACKET_STATISTICS.
    public final Counter kernelReceived = new Counter();
    public final Counter kernelDropped = new Counter();
    /** Interface drops (rx_missed_errors + rx_fifo_errors), relative to the start. */
    public final Counter interfaceDropped = new Counter();

    // Writer thread.
    /**
     * kafka: packets the producer took but could not deliver (it gave up on them). Written by the
     * Kafka sink's writer thread, which also keeps recordsWritten/bytesWritten (packets and bytes the
     * broker acknowledged). A stall of Kafka fills the ring, whose losses are counted as any ring-full loss.
     */
    public final Counter kafkaUndelivered = new Counter();
    /** kafka: packets still not handed to the producer when the stop's grace time ran out. Kafka sink's writer thread. */
    public final Counter kafkaUnsent = new Counter();
    public final Counter recordsWritten = new Counter();
    public final Counter bytesWritten = new Counter();
    public final Counter filesFinished = new Counter();

    /** Every packet lost on the way to Kafka ({@link #kafkaUndelivered} + {@link #kafkaUnsent}). */
    public long droppedKafka() {
        return kafkaUndelivered.get() + kafkaUnsent.get();
    }

    // Liveness, for the service watchdog (run.ServiceNotifier): loop turns, idle waits included.
    /** Reader thread (live capture): one per turn of its loop (a block taken, a poll, a wait for room). */
    public final Counter readerBeats = new Counter();
    /** Writer thread: one per turn of its loop (a write, a wait for data, a rotation). */
    public final Counter writerBeats = new Counter();
    /** Wall-clock time (ms since the epoch) the last file was finished by rotation; 0 before. */
    public final Counter lastFileFinishedMillis = new Counter();

    /**
     * Makes every counter the sum of {@code parts}' (the latest file time: their latest), so the
     * pairs of {@code --fanout} have one set of totals; the calling thread is the one writer of these.
     */
    public void setToSumOf(java.util.List<CaptureCounters> parts) {
        Counter[] mine = all();
        long[] sums = new long[mine.length];
        long lastFile = 0;
        for (CaptureCounters part : parts) {
            Counter[] theirs = part.all();
            for (int i = 0; i < theirs.length; i++) {
                sums[i] += theirs[i].get();
            }
            lastFile = Math.max(lastFile, part.lastFileFinishedMillis.get());
        }
        for (int i = 0; i < mine.length; i++) {
            mine[i].set(sums[i]);
        }
        lastFileFinishedMillis.set(lastFile);
    }

    /** Every counter that adds up across pairs (not {@link #lastFileFinishedMillis}). */
    private Counter[] all() {
        return new Counter[] {packetsRead, recordsStored, bytesStored, droppedRingFull, filteredOut, directionSkipped,
                decapSkipped, kernelReceived, kernelDropped, interfaceDropped, recordsWritten, bytesWritten, filesFinished,
                readerBeats, writerBeats};
    }
}
