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
 * The index an {@code -o} run keeps beside each file. The writer shows it each packet record from
 * its own record walk ({@link #packet}, as it counts the records of a write it made, before
 * releasing them): the record is read in place in the ring, where the writer has just read its
 * header (no second walk, no copy, no queue slot, no allocation per record: a few loads from one
 * address and inserts into primitive sets, {@link IndexBuilder}). Everything that takes time —
 * building the index, encoding and writing it — is done by the {@code gulp-index} thread on a
 * copy: the file's builder when the file ends, and while the file is written the index so far
 * ({@code .NAME.idx.part}, for extractions of its newest packets) when it has something new, at
 * most once every {@link #SNAPSHOT_NANOS}: after a write, or while the writer waits for input (so
 * a burst's last write is published within about a second, and a trickle of traffic rewrites it
 * at most once a second); so the writer never waits for a disk. The finisher, after renaming the
 * file, renames its index to {@code NAME.idx} (waiting at most {@link #FINISH_WAIT_MS} ms for it).
 */
public final class LiveIndexer implements FileIndexHook {
    static final long FINISH_WAIT_MS = 5_000;
    /** The index so far of the file being written ({@code .NAME.idx.part}) is published at most this often. */
    static final long SNAPSHOT_NANOS = 1_000_000_000L;

    /** An index to write: {@code done} (null for a snapshot) completes when it is written. */
    private record Job(IndexBuilder builder, long length, Path part, Path target, CompletableFuture<Boolean> done) {
    }

    private final int linkTypeField;
    private final RecordFraming framing;
    private final long dataOffset; // of a packet record
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
        this.dataOffset = framing.packetDataOffset();
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
        indexedEnd = snapshotEnd = 0;
        lastSnapshot = System.nanoTime() - SNAPSHOT_NANOS; // the first write is published
    }

    @Override
    public void packet(ByteRing.Consumer ring, long position, long offset) {
        IndexBuilder b = builder;
        if (b == null) {
            return;
        }
        MemorySegment memory = ring.buffer();
        long at = ring.indexOf(position);
        long fileOffset = headerLength + offset;
        if (at + dataOffset + TrafficSummary.SNIFF_BYTES > memory.byteSize() || !b.hasFirstRecord()) {
            straddling(ring, b, position, fileOffset); // the record's first bytes straddle the ring's end; a file's first record
            return;
        }
        int caplen = framing.packetCapturedLengthAt(memory, at); // the header and the bytes sniffed lie whole at at
        b.add(fileOffset, framing.packetTimestampAt(memory, at), memory, at + dataOffset,
                Math.max(0, Math.min(caplen, TrafficSummary.SNIFF_BYTES)));
        indexedEnd = fileOffset + dataOffset + Integer.toUnsignedLong(caplen);
    }

    /** {@link #packet} through the ring's wrap-aware reads: a record at the ring's end, or a file's first. */
    private void straddling(ByteRing.Consumer ring, IndexBuilder b, long position, long fileOffset) {
        if (!b.hasFirstRecord()) {
            byte[] header = new byte[16]; // once per file
            ring.copyTo(position, MemorySegment.ofArray(header), 0, header.length);
            b.firstRecordHeader(header);
        }
        int caplen = framing.capturedLength(ring, position);
        int sniff = Math.max(0, Math.min(caplen, TrafficSummary.SNIFF_BYTES));
        MemorySegment memory = ring.buffer();
        long data = ring.indexOf(position + dataOffset);
        MemorySegment at = memory;
        if (data + sniff > memory.byteSize()) {
            ring.copyTo(position + dataOffset, scratch, 0, sniff);
            at = scratch;
            data = 0;
        }
        b.add(fileOffset, framing.timestampNanos(ring, position), at, data, sniff);
        indexedEnd = fileOffset + dataOffset + Integer.toUnsignedLong(caplen);
    }

    @Override
    public void written(ByteRing.Consumer ring, long end) {
        publishIfDue(System.nanoTime());
    }

    @Override
    public void idle(long nanoTime) {
        publishIfDue(nanoTime);
    }

    /** Publishes the index so far when it has something new and the last was published {@link #SNAPSHOT_NANOS} ago. */
    private void publishIfDue(long now) {
        if (builder != null && indexedEnd != snapshotEnd && now - lastSnapshot >= SNAPSHOT_NANOS) {
            lastSnapshot = now;
            snapshotEnd = indexedEnd;
            submit(new Job(builder.copy(), indexedEnd, part, target, null)); // about 300 KiB copied, at most once a second
        }
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
