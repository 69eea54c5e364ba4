package gulp.extract;

import gulp.format.RecordFraming;
import gulp.output.FileIndexHook;
import gulp.output.FileNamer;
import gulp.ring.ByteRing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The index an {@code -o} run keeps beside each file. The writer hands over each span it wrote
 * (once per write, before releasing it); the records of the span are read in place in the ring,
 * where the writer has just read them (no copy, no queue slot, no allocation per record: a few
 * header loads and inserts into primitive sets, {@link IndexBuilder}), as the writer counts them.
 * Everything that takes time — building the index, encoding and writing it — is done by the
 * {@code gulp-index} thread on a copy: the file's builder when the file ends, a copy of it at most
 * every {@link #SNAPSHOT_NANOS} while the file is written ({@code .NAME.idx.part}, the index so
 * far, for extractions of its newest packets); so the writer never waits for a disk. The finisher,
 * after renaming the file, renames its index to {@code NAME.idx} (waiting at most
 * {@link #FINISH_WAIT_MS} ms for it).
 */
public final class LiveIndexer implements FileIndexHook {
    static final long FINISH_WAIT_MS = 5_000;
    /** How often the index so far of the file being written is published ({@code .NAME.idx.part}). */
    static final long SNAPSHOT_NANOS = 1_000_000_000L;
    /**
     * ... or this often when the writer has caught up with the input (the end of a burst, a
     * trickle). Half the writer's flush interval (200 ms between partial writes): the last write
     * of a burst, which comes a flush interval after the write before it (whose snapshot may have
     * been taken up to that write's duration later), is published, not left out until more comes.
     */
    static final long CAUGHT_UP_SNAPSHOT_NANOS = 100_000_000L;

    /** An index to write: {@code done} (null for a snapshot) completes when it is written. */
    private record Job(IndexBuilder builder, long length, Path part, Path target, CompletableFuture<Boolean> done) {
    }

    private final int linkTypeField;
    private final RecordFraming framing;
    private final boolean tableFromFirstRecord;
    private final Consumer<String> report;
    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Path, CompletableFuture<Boolean>> written = new ConcurrentHashMap<>();
    private final Thread thread;
    // writer thread
    private final MemorySegment scratch = Arena.ofAuto().allocate(TrafficSummary.SNIFF_BYTES);
    private IndexBuilder builder;
    private Path part;
    private Path target;
    private CompletableFuture<Boolean> done;
    private long headerLength;
    private long fileStart = -1; // ring position of the file's first record, once its first span came
    private long next;           // ring position of the first record not yet indexed
    private long indexedEnd;     // file offset where the last record indexed ends
    private long snapshotEnd;
    private long lastSnapshot;

    /**
     * @param framing              the records of the run's {@code --format}
     * @param tableFromFirstRecord pcapng: the time table starts at the first packet (whose header
     *                             identifies the file, the file header's length varying)
     */
    public LiveIndexer(int linkTypeField, RecordFraming framing, boolean tableFromFirstRecord, Consumer<String> report) {
        this.linkTypeField = linkTypeField;
        this.framing = framing;
        this.tableFromFirstRecord = tableFromFirstRecord;
        this.report = report;
        this.thread = Thread.ofPlatform().daemon().name("gulp-index").start(this::run);
    }

    @Override
    public void fileStarted(Path part, Path target, long headerLength) {
        this.part = part;
        this.target = target;
        this.headerLength = headerLength;
        this.done = new CompletableFuture<>();
        written.put(part, done);
        builder = new IndexBuilder(linkTypeField, tableFromFirstRecord);
        fileStart = -1;
        indexedEnd = snapshotEnd = 0;
        lastSnapshot = System.nanoTime() - SNAPSHOT_NANOS; // the first span that catches up is published
    }

    @Override
    public void written(ByteRing.Consumer ring, long position, long length) {
        if (builder == null) {
            return;
        }
        if (fileStart < 0) {
            fileStart = next = position;
        }
        long end = position + length;
        MemorySegment memory = ring.buffer();
        long capacity = memory.byteSize();
        while (next < end) { // records that start in the span; the last may end after it
            long recordLength = framing.recordLength(ring, next);
            if (framing.isPacket(ring, next)) {
                long dataOffset = framing.dataOffset(ring, next);
                int caplen = framing.capturedLength(ring, next);
                long fileOffset = headerLength + (next - fileStart);
                if (!builder.hasFirstRecord()) {
                    byte[] header = new byte[16]; // once per file
                    ring.copyTo(next, MemorySegment.ofArray(header), 0, header.length);
                    builder.firstRecordHeader(header);
                }
                int sniff = Math.max(0, Math.min(caplen, TrafficSummary.SNIFF_BYTES));
                long data = ring.indexOf(next + dataOffset);
                MemorySegment at = memory;
                if (data + sniff > capacity) { // the packet straddles the ring's end
                    ring.copyTo(next + dataOffset, scratch, 0, sniff);
                    at = scratch;
                    data = 0;
                }
                builder.add(fileOffset, framing.timestampNanos(ring, next), at, data, sniff);
                indexedEnd = fileOffset + dataOffset + Integer.toUnsignedLong(caplen);
            }
            next += recordLength;
        }
        long now = System.nanoTime();
        boolean caughtUp = end == ring.tail(); // the writer emptied the ring: a burst or a trickle ends here
        if (indexedEnd != snapshotEnd && now - lastSnapshot >= (caughtUp ? CAUGHT_UP_SNAPSHOT_NANOS : SNAPSHOT_NANOS)) {
            lastSnapshot = now;
            snapshotEnd = indexedEnd;
            submit(new Job(builder.copy(), indexedEnd, part, target, null)); // about 300 KiB copied, once a second
        }
    }

    /** For IndexerBenchmark: the next span starts the file again (its records are counted again). */
    public void rewindForBenchmark() {
        fileStart = -1;
    }

    @Override
    public void fileEnded(long length) {
        if (builder != null) {
            submit(new Job(builder, length, part, target, done));
        }
        builder = null;
    }

    /** Waits (briefly) for the file's index, then renames it as its file was renamed. */
    @Override
    public void fileFinished(Path part, Path target) {
        CompletableFuture<Boolean> done = written.remove(part);
        try {
            if (done == null || !done.get(FINISH_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return;
            }
            Files.move(FileIndex.pathFor(part), target.resolveSibling(FileNamer.indexName(target.getFileName().toString())),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // Not written (the file had no records to index); an extraction reads the file.
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            report.accept("warning: no index for " + target + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long indexBytesBound(long fileBytes) {
        return FileIndex.maxEncodedBytes(fileBytes);
    }

    private void submit(Job job) {
        jobs.add(job);
        LockSupport.unpark(thread);
    }

    private void run() {
        while (true) {
            Job job = jobs.poll();
            if (job == null) {
                LockSupport.park(this);
                continue;
            }
            if (job.done() == null) {
                if (jobs.isEmpty()) { // a newer snapshot or the final index supersedes it
                    try {
                        job.builder().build(job.length()).store(FileIndex.pathFor(job.part()));
                    } catch (IOException | RuntimeException e) {
                        // The file is read instead; the final index reports a real problem.
                    }
                }
                continue;
            }
            boolean ok = false;
            try {
                job.builder().build(job.length()).store(FileIndex.pathFor(job.part()));
                ok = true;
            } catch (IOException | RuntimeException ex) {
                report.accept("warning: cannot write the index of " + job.target() + ": " + ex.getMessage());
                try {
                    Files.deleteIfExists(FileIndex.pathFor(job.part())); // an index so far would outlive its file's .part
                } catch (IOException ignored) {
                    // An extraction checks an index against its file.
                }
            } finally {
                job.done().complete(ok);
            }
        }
    }
}
