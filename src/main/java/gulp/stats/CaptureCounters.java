package gulp.stats;

import java.util.List;

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

    // Reader thread: the share of the drops above that happened while the output was stalled (a
    // Kafka producer refusing records, a full disk), as the reader sees it: ring-full drops while
    // the writer says its output is stalled, and the kernel's tp_drops read while the reader held
    // kernel blocks during such a stall (pipeline.PacketPath, capture.LiveSocket).
    /** Ring-full drops ({@link #droppedRingFull}) while the output was stalled. */
    public final Counter stalledRingFull = new Counter();
    /** Kernel drops ({@link #kernelDropped}) read while kernel blocks were held for a stalled output. */
    public final Counter stalledKernel = new Counter();

    // Writer thread.
    /**
     * kafka: packets the producer took but could not deliver (it gave up on them). Written by the
     * Kafka sink's writer thread, which also keeps recordsWritten/bytesWritten (packets and bytes the
     * broker acknowledged). What a stall of Kafka costs the rings is {@link #lostWhileStalled()}.
     */
    public final Counter kafkaUndelivered = new Counter();
    /** kafka: packets still not handed to the producer when the stop's grace time ran out. Kafka sink's writer thread. */
    public final Counter kafkaUnsent = new Counter();
    public final Counter recordsWritten = new Counter();
    public final Counter bytesWritten = new Counter();
    public final Counter filesFinished = new Counter();

    /** Set before the threads start (their start publishes it): the output is Kafka, whose stalls' losses are kafka drops. */
    private boolean kafkaOutput;

    /** The run's output is {@code --kafka}: packets lost while it is stalled count as kafka drops. Before the threads start. */
    public void outputIsKafka() {
        kafkaOutput = true;
    }

    /** Packets lost (ring full, kernel) while the output was stalled: {@link #stalledRingFull} + {@link #stalledKernel}. */
    public long lostWhileStalled() {
        return stalledRingFull.get() + stalledKernel.get();
    }

    /**
     * Packets that left the ring but never reached Kafka ({@link #kafkaUndelivered} + {@link #kafkaUnsent}):
     * the box's own losses after its ring, which no other counter holds.
     */
    public long kafkaLostAfterRing() {
        return kafkaUndelivered.get() + kafkaUnsent.get();
    }

    /**
     * Every packet lost for Kafka: {@link #kafkaLostAfterRing()}, and with a Kafka output those lost
     * while it was stalled ({@link #lostWhileStalled()}, which are also ring-full or kernel drops).
     */
    public long droppedKafka() {
        return kafkaLostAfterRing() + (kafkaOutput ? lostWhileStalled() : 0);
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
    public void setToSumOf(List<CaptureCounters> parts) {
        Counter[] mine = all();
        long[] sums = new long[mine.length];
        long lastFile = 0;
        for (CaptureCounters part : parts) {
            kafkaOutput |= part.kafkaOutput;
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
                decapSkipped, kernelReceived, kernelDropped, interfaceDropped, stalledRingFull, stalledKernel,
                kafkaUndelivered, kafkaUnsent, recordsWritten, bytesWritten, filesFinished, readerBeats, writerBeats};
    }
}
