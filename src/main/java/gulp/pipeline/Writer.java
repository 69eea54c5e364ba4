package gulp.pipeline;

import gulp.format.FileEnvelope;
import gulp.format.RecordFraming;
import gulp.output.RotationPolicy;
import gulp.output.Sink;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.ring.ByteRingMarks;
import gulp.ring.IdleStrategy;
import gulp.stats.CaptureCounters;

import java.io.IOException;

/**
 * The writer thread's loop: drains the ring into the sink in large writes straight from the ring
 * memory, cuts files only at record boundaries, and pushes partial data out when the input is slow.
 */
public final class Writer implements Runnable {
    /** Partial data reaches the output within this time at low rates (the issue asks for 0.5 s). */
    static final long FLUSH_INTERVAL_NANOS = 200_000_000L;
    /** How often wall-clock rotation is asked about while idle. */
    static final long CLOCK_CHECK_NANOS = 100_000_000L;
    private static final long NO_CUT = -1;
    /** The longest the writer sleeps at once, so stop requests and shutdown stay prompt. */
    private static final long MAX_SLEEP_NANOS = 20_000_000L;

    private final ByteRing ring;
    private final ByteRingConsumer consumer;
    private final ByteRingMarks marks;
    private final Sink sink;
    private final RecordFraming framing;
    private final FileEnvelope envelope; // null: nothing watches the records written
    private final RotationPolicy policy;
    private final long blockSize;
    private final CaptureCounters counters;
    private final RunControl control;
    private final IdleStrategy idle;

    private long submitted;     // the sink took the ring's bytes up to here; it holds them up to the consumer's head
    private long countedUpTo;   // records counted as written up to here (a record boundary)
    private long countedRecordEnd = -1; // end of the record at countedUpTo, once its header was read
    private boolean countedRecordIsPacket; // the record at countedUpTo holds a packet
    private long packetsWritten; // packet records counted as written
    private boolean envelopeSeesPackets; // the envelope asked to be shown packet records too
    private long scannedUpTo;   // records shown to the rotation policy up to here
    private long fileStart;     // where the current file began
    private long cut = NO_CUT;  // where the current file must end
    private boolean fileStarted; // the sink was told the current file's name time
    private boolean unflushed;  // written since the sink was last flushed
    private gulp.output.FileIndexHook index = gulp.output.FileIndexHook.NONE;
    private boolean indexing;      // index is not NONE: the walk shows it each packet
    private long fileFirstRecord;  // ring position of the current file's first record

    /**
     * @param framing  null for opaque {@code -c} data, which has no records to count or to cut between
     * @param envelope the output files' envelope, shown the records written if it asks (pcapng
     *                 keeps the interface descriptions, and counts packets per interface once
     *                 there are several)
     */
    public Writer(ByteRing ring, Sink sink, RecordFraming framing, FileEnvelope envelope, RotationPolicy policy,
                  long blockSize, long maxParkNanos, CaptureCounters counters, RunControl control) {
        this.ring = ring;
        this.consumer = ring.consumer();
        this.marks = ring.marks();
        this.sink = sink;
        this.framing = framing;
        this.envelope = envelope != null && envelope.watchesRecords() && framing != null ? envelope : null;
        this.policy = policy;
        // A write waits for a full block; in a small ring a full block may never be pending (the
        // reader waits for room first), so blocks are at most a quarter of the ring.
        this.blockSize = effectiveBlockSize(blockSize, ring.capacity());
        this.counters = counters;
        this.control = control;
        this.idle = new IdleStrategy(maxParkNanos);
    }

    /** Hands {@code hook} every span written to a file (the extraction index, issue 13). */
    public void indexWith(gulp.output.FileIndexHook hook) {
        this.index = hook;
        this.indexing = hook != gulp.output.FileIndexHook.NONE && framing != null;
    }

    public Sink sink() {
        return sink;
    }

    /** The size of a full write: {@code -z}, at most a quarter of the ring. */
    public static long effectiveBlockSize(long requested, long ringCapacity) {
        return Math.max(1, Math.min(requested, Long.highestOneBit(Math.max(1, ringCapacity / 4))));
    }

    @Override
    public void run() {
        try {
            if (TestHook.WRITER_CRASHES) {
                throw TestHook.crash();
            }
            drain();
            sink.close();
        } catch (IOException | RuntimeException e) {
            control.writerFailed(describe(e));
            try {
                sink.close();
            } catch (IOException | RuntimeException ignored) {
                // The first error is the one worth reporting.
            }
        } catch (Error e) {
            // A bug (or the JVM out of memory): status 1, not an output error. The reader must
            // not wait for room that never comes, so this is a writer failure too.
            control.threadCrashed("writer", e);
            control.writerFailed(describe(e));
            try {
                sink.close();
            } catch (IOException | RuntimeException ignored) {
                // The crash is the one worth reporting.
            }
        }
    }

    private void drain() throws IOException {
        long lastWrite = System.nanoTime();
        long lastClockCheck = lastWrite;
        while (true) {
            counters.writerBeats.increment(); // the watchdog's sign of progress: a write, a wait, a rotation
            boolean done = ring.producerDone(); // read before the tail: a tail read after it is final
            consumer.refresh();
            long tail = consumer.tail();
            if (policy.recordAware() && cut == NO_CUT) {
                scanForCut(tail);
            }
            long limit = cut == NO_CUT ? tail : cut;
            settle();
            long head = submitted;
            if (cut != NO_CUT && head == cut) {
                rotate();
                continue;
            }
            long pending = limit - head;
            long now = System.nanoTime();
            if (pending >= blockSize || (pending > 0
                    && (cut != NO_CUT || done || control.stopRequested() || now - lastWrite >= FLUSH_INTERVAL_NANOS))) {
                writeSome(Math.min(pending, blockSize));
                lastWrite = now;
                unflushed = true;
                if (pending < blockSize) {
                    // A partial write: little is coming, so the output gets its real length now
                    // (O_DIRECT pads its last block) rather than at the next idle flush.
                    flushSink();
                    unflushed = false;
                }
                idle.reset();
                continue;
            }
            if (now - lastClockCheck >= CLOCK_CHECK_NANOS) {
                lastClockCheck = now;
                if (pending == 0 && policy.cutNow(System.currentTimeMillis() * 1_000_000L)) {
                    cut = tail;
                    scannedUpTo = Math.max(scannedUpTo, tail);
                    continue;
                }
            }
            if (done && pending == 0) {
                flushSink(); // every write in flight completed and counted
                return;
            }
            if (pending == 0 && indexing) {
                index.idle(now); // e.g. publish the index so far of a burst's last write
            }
            if (pending == 0 && unflushed && now - lastWrite >= FLUSH_INTERVAL_NANOS) {
                flushSink(); // e.g. O_DIRECT's writes in flight, and its padded last block trimmed
                unflushed = false;
            }
            if (cut == NO_CUT && !control.stopRequested()) {
                // Nothing urgent until a block is full, the flush interval ends or the clock is
                // due: sleep until then; the reader wakes us when it publishes a full block.
                long untilFlush = pending > 0 ? FLUSH_INTERVAL_NANOS - (now - lastWrite) : CLOCK_CHECK_NANOS;
                long sleep = Math.min(Math.min(untilFlush, CLOCK_CHECK_NANOS - (now - lastClockCheck)), MAX_SLEEP_NANOS);
                if (sleep > 0) {
                    consumer.awaitReadable(blockSize + (submitted - consumer.head()), sleep);
                    continue;
                }
            }
            idle.idle();
        }
    }

    /**
     * Shows the rotation policy every newly published packet; stops at the first cut. Records that
     * are not packets (a pcapng interface description) are not counted and never cut before.
     * A walk of its own, not part of {@link #countRecordsUpTo}'s: the cut must be known before the
     * write that would cross it, the count only after the write (up to a block's end, which falls
     * inside a record); one walk would need every write to end on a record boundary. It runs only
     * for size, count and packet-time rotation, at about 4 ns a record.
     */
    private void scanForCut(long tail) {
        while (scannedUpTo < tail) {
            long signedLength = framing.signedRecordLength(consumer, scannedUpTo);
            long length = Math.abs(signedLength);
            if (signedLength < 0) { // not a packet
                scannedUpTo += length;
                continue;
            }
            long timestamp = framing.timestampNanos(consumer, scannedUpTo);
            if (scannedUpTo > fileStart && policy.cutBefore(length, timestamp)) {
                cut = scannedUpTo; // this record is shown again as the next file's first
                return;
            }
            policy.addRecord(length, timestamp);
            scannedUpTo += length;
        }
    }

    private void rotate() throws IOException {
        flushSink(); // the file's writes completed and counted before the next file starts
        sink.rotate();
        counters.filesFinished.increment();
        counters.lastFileFinishedMillis.set(System.currentTimeMillis());
        fileStart = cut;
        cut = NO_CUT;
        policy.onNewFile(System.currentTimeMillis() * 1_000_000L);
        fileStarted = false;
    }

    private void writeSome(long maxBytes) throws IOException {
        if (!fileStarted) { // the file's first bytes: a whole record starts at the head
            long firstTimestamp = framing == null ? -1 : framing.timestampNanos(consumer, submitted);
            sink.startFile(policy.nameTime(System.currentTimeMillis() * 1_000_000L, firstTimestamp));
            fileStarted = true;
            fileFirstRecord = submitted;
        }
        long remaining = maxBytes;
        while (remaining > 0) {
            var slice = consumer.byteBufferAt(submitted, remaining); // stops at the end of what lies in one piece (ByteRing.span)
            int length = slice.remaining();
            try {
                sink.write(slice);
            } catch (IOException | RuntimeException e) {
                failed(e);
                throw e;
            }
            submitted += length;
            settle();
            remaining -= length;
        }
    }

    /** {@link Sink#flush}, then every byte written is counted and released; a failure as in {@link #writeSome}. */
    private void flushSink() throws IOException {
        try {
            sink.flush();
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
        settle();
    }

    /**
     * Counts and releases what the sink holds (all it took but its {@link Sink#bytesInFlight}):
     * O_DIRECT writes in flight read their bytes from the ring until they complete.
     */
    private void settle() {
        long head = consumer.head();
        long done = Math.max(head, submitted - sink.bytesInFlight());
        if (done > head) {
            countRecordsUpTo(done, true); // before release: the records are still ours (the index reads them too)
            index.written(consumer, done);
            consumer.release(done - head);
            counters.bytesWritten.add(done - head);
        }
    }

    private void failed(Throwable e) {
        try {
            settle(); // what reached the output before the failed write
            keepWholeRecordsOfFailedWrite();
        } catch (IOException | RuntimeException second) {
            e.addSuppressed(second); // the first error is the one reported
        }
    }

    /**
     * A write failed part-way: count what reached the output, and have the output end on the last
     * complete record within it where the medium allows (a file is cut back; a pipe cannot be).
     */
    private void keepWholeRecordsOfFailedWrite() throws IOException {
        long head = consumer.head();
        long reached = head + Math.max(0, sink.failedWriteProgress());
        countRecordsUpTo(reached, false); // moves countedUpTo to the last record boundary at or before it
        long boundary = framing == null ? reached : countedUpTo;
        boolean cut = sink.cutBackAfterFailure(boundary - head);
        counters.bytesWritten.add((cut ? boundary : reached) - head);
    }

    /**
     * Counts the records up to {@code head}; {@code indexed}: shows the index each packet whose header is read.
     * When nothing wants to see each record (no index, no envelope watching), it jumps to the
     * producer's last mark at or before {@code head} ({@link ByteRingMarks}: the records before it
     * are counted there) and reads only the headers past it.
     */
    private void countRecordsUpTo(long head, boolean indexed) {
        if (framing == null) {
            return;
        }
        long records = 0;
        if (!indexing && envelope == null) {
            long mark = marks.passTo(head);
            if (mark > countedUpTo) { // a record boundary: countedRecordEnd, if known, is at most here
                records = marks.passedCount() - packetsWritten;
                countedUpTo = mark;
                countedRecordEnd = -1;
            }
        }
        while (true) {
            if (countedRecordEnd < 0) {
                if (countedUpTo >= head) {
                    break;
                }
                // Read each header once, while it is still unreleased (the whole record is: the
                // tail is published at record boundaries); a record that straddles this write
                // keeps its end here for the next call.
                long signedLength = framing.signedRecordLength(consumer, countedUpTo);
                long length = Math.abs(signedLength);
                countedRecordEnd = countedUpTo + length;
                countedRecordIsPacket = signedLength > 0;
                if (countedRecordIsPacket && indexing && indexed) {
                    index.packet(consumer, countedUpTo, countedUpTo - fileFirstRecord);
                }
                if (envelope != null && (envelopeSeesPackets || !countedRecordIsPacket)) {
                    envelopeSeesPackets = envelope.onRecord(consumer, countedUpTo, length, countedRecordIsPacket,
                            packetsWritten + records);
                }
            }
            if (countedRecordEnd > head) {
                break;
            }
            countedUpTo = countedRecordEnd;
            countedRecordEnd = -1;
            if (countedRecordIsPacket) {
                records++;
            }
        }
        packetsWritten += records;
        counters.recordsWritten.add(records);
        if (envelope != null) {
            envelope.packetsWritten(packetsWritten);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message;
    }
}
