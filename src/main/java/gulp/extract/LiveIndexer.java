package gulp.extract;

import gulp.format.RecordFraming;
import gulp.output.FileIndexHook;
import gulp.output.FileNamer;
import gulp.ring.ByteRingConsumer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * file, renames its index to {@code NAME.idx} (waiting at most {@link #FINISH_WAIT_MS} ms for it; an
 * index written later is renamed by the {@code gulp-index} thread, or removed if retention has
 * deleted the file meanwhile: a {@code NAME.idx} never outlives its file). A {@code .NAME.idx.part} never
 * outlives its {@code .NAME.part}: no snapshot is stored once the file has ended, and {@link #close}
 * (the run's end) waits at most {@link #FINISH_WAIT_MS} ms for what is queued, then stops the thread and
 * removes any index so far whose file is no longer a {@code .part} (one the finisher renames later
 * still has its index follow it). Indexes are built outside
 * the lock; their stores and the renames happen under it, so close never races one (and never
 * waits for a build).
 */
public final class LiveIndexer implements FileIndexHook {
    static final long FINISH_WAIT_MS = 5_000;
    /** The index so far of the file being written ({@code .NAME.idx.part}) is published at most this often. */
    static final long SNAPSHOT_NANOS = 1_000_000_000L;

    /** An index to build and write: the file's final one ({@code last}), or a snapshot of the index so far. */
    private record Job(IndexBuilder builder, long length, FileState file, boolean last) {
    }

    /** One file's index: {@code done} completes (under lock) when its final index is stored (true) or given up (false). */
    private static final class FileState {
        final Path part;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        volatile boolean ended;  // writer: the final job is queued; no snapshot is stored after it
        Path target;             // under lock: set once the file is renamed (the index then follows it)

        FileState(Path part) {
            this.part = part;
        }

        /** The final index is stored as {@code .NAME.idx.part}. */
        boolean written() {
            return done.getNow(false);
        }
    }

    private final int linkTypeField;
    private final RecordFraming framing;
    private final long dataOffset; // of a packet record
    private final boolean tableFromFirstRecord;
    private final Consumer<String> report;
    private final long finishWaitMs;
    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
    /** The files whose index is not yet renamed or removed, by {@code .part} path. */
    private final ConcurrentHashMap<Path, FileState> files = new ConcurrentHashMap<>();
    private final Object lock = new Object(); // stores, renames and close
    private volatile boolean closed; // set under lock; read without it only to skip building what will not be stored
    private final Thread thread; // null: a warm-up's throwaway
    /**
     * All of memory, of global scope, for the hot path's reads of a record in the ring at its
     * address ({@link #packet}): a constant whose scope is never closed, so the JIT drops each
     * read's liveness checks (the ring's scope tested before every read, again after the
     * builder's stores) and tests its bounds against a constant length; the five reads of a
     * record are in the ring's memory ({@link #packet} checks the record's first bytes against
     * the ring's span first). Safe because the writer calls {@link #packet} only between its
     * ring's creation and its thread's end, and the run closes the ring's arena (unmapping it)
     * only after the writer's thread has ended (run.RunAssembly's pipelines return once their
     * writer has; gulp never interrupts the thread that waits for them); every other path keeps
     * the ring's own segment.
     */
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    // writer thread
    private final MemorySegment scratch = Arena.ofAuto().allocate(TrafficSummary.SNIFF_BYTES);
    private ByteRingConsumer ring;  // the ring ringAddress and ringSpan describe
    private long ringAddress;        // of the ring's buffer() index 0
    private long ringSpan;           // bytes of buffer() readable at ringAddress (0: not native memory, the general path)
    private IndexBuilder builder;
    private FileState file;
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
        this(linkTypeField, framing, tableFromFirstRecord, report, FINISH_WAIT_MS);
    }

    /** As above, the finisher and the run's end waiting at most {@code finishWaitMs} for an index (tests: 0, the index thread late). */
    LiveIndexer(int linkTypeField, RecordFraming framing, boolean tableFromFirstRecord, Consumer<String> report, long finishWaitMs) {
        this(linkTypeField, framing, tableFromFirstRecord, report, finishWaitMs, true);
    }

    /** A throwaway indexer for the JIT warm-up ({@link IndexWarmUp}): no index thread; never to be told of a file's end. */
    static LiveIndexer withoutThread(int linkTypeField, RecordFraming framing, boolean tableFromFirstRecord) {
        return new LiveIndexer(linkTypeField, framing, tableFromFirstRecord, line -> { }, 0, false);
    }

    private LiveIndexer(int linkTypeField, RecordFraming framing, boolean tableFromFirstRecord, Consumer<String> report,
                        long finishWaitMs, boolean indexThread) {
        this.finishWaitMs = finishWaitMs;
        this.linkTypeField = linkTypeField;
        this.framing = framing;
        this.dataOffset = framing.packetDataOffset();
        this.tableFromFirstRecord = tableFromFirstRecord;
        this.report = report;
        this.thread = indexThread ? Thread.ofPlatform().daemon().name("gulp-index").start(this::run) : null;
    }

    @Override
    public void fileStarted(Path part, Path target, long headerLength) {
        this.headerLength = headerLength;
        this.file = new FileState(part);
        files.put(part, file);
        builder = new IndexBuilder(linkTypeField, tableFromFirstRecord);
        indexedEnd = snapshotEnd = 0;
        lastSnapshot = System.nanoTime() - SNAPSHOT_NANOS; // the first write is published
    }

    @Override
    public void packet(ByteRingConsumer ring, long position, long offset) {
        IndexBuilder b = builder;
        if (b == null) {
            return;
        }
        if (ring != this.ring) {
            ringMemory(ring); // once a run
        }
        long at = ring.indexOf(position);
        long fileOffset = headerLength + offset;
        if (at + dataOffset + TrafficSummary.SNIFF_BYTES > ringSpan || !b.hasFirstRecord()) {
            straddling(ring, b, position, fileOffset); // the record's first bytes straddle the ring's end; a file's first record
            return;
        }
        long address = ringAddress + at; // the header and the bytes sniffed lie whole there, in the ring
        int caplen = framing.packetCapturedLengthAt(ALL_MEMORY, address);
        b.add(fileOffset, framing.packetTimestampAt(ALL_MEMORY, address), ALL_MEMORY, address + dataOffset,
                Math.max(0, Math.min(caplen, TrafficSummary.SNIFF_BYTES)));
        indexedEnd = fileOffset + dataOffset + Integer.toUnsignedLong(caplen);
    }

    /** Where {@code ring}'s memory is, for {@link #packet}'s reads through {@link #ALL_MEMORY}. */
    private void ringMemory(ByteRingConsumer ring) {
        MemorySegment memory = ring.buffer();
        this.ring = ring;
        this.ringAddress = memory.isNative() ? memory.address() : 0;
        this.ringSpan = memory.isNative() ? memory.byteSize() : 0;
    }

    /** {@link #packet} through the ring's wrap-aware reads: a record at the ring's end, or a file's first. */
    private void straddling(ByteRingConsumer ring, IndexBuilder b, long position, long fileOffset) {
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
    public void written(ByteRingConsumer ring, long end) {
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
            submit(new Job(builder.copy(), indexedEnd, file, false)); // about 300 KiB copied, at most once a second
        }
    }

    @Override
    public void fileEnded(long length) {
        if (builder != null) {
            file.ended = true;
            submit(new Job(builder, length, file, true));
        }
        builder = null;
    }

    /**
     * Waits (briefly) for the file's index, then renames it as its file was renamed; an index
     * written later is renamed by the index thread.
     */
    @Override
    public void fileFinished(Path part, Path target) {
        FileState f = files.get(part);
        if (f == null) {
            return;
        }
        try {
            f.done.get(finishWaitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Handed over: the index thread renames it once written (or close removes it).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            f.target = target;
            if (f.done.isDone() || closed) {
                follow(f, true);
            }
        }
    }

    /**
     * The run's end (after the last file was finished, or while the finisher still has some):
     * waits at most {@link #FINISH_WAIT_MS} ms for the queued indexes, then stops the index thread
     * and removes every index so far whose file is no longer a {@code .part}, so none outlives its
     * file; the index of a file the finisher renames after this follows it in {@link #fileFinished}.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(finishWaitMs);
        for (FileState f : files.values()) {
            if (!f.ended) {
                continue; // never ended: no final job will come
            }
            try {
                f.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                break; // the time is up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // Checked before the lock, which orders this class's own stores and renames only: a .part
        // only ever goes away (the finisher's rename, retention), never comes back.
        Set<Path> partsGone = new HashSet<>();
        for (FileState f : files.values()) {
            if (!Files.exists(f.part, LinkOption.NOFOLLOW_LINKS)) {
                partsGone.add(f.part);
            }
        }
        synchronized (lock) {
            closed = true;
            for (FileState f : files.values()) {
                follow(f, partsGone.contains(f.part));
            }
        }
        LockSupport.unpark(thread);
    }

    /**
     * Under lock: the final index of a renamed file becomes {@code NAME.idx} (or is removed if the
     * file is gone: an index never outlives its file); an index so far whose
     * {@code .part} is gone is removed once no final index will be stored; at the run's end the
     * others stay beside their {@code .part}, those of files handed to the finisher still followed
     * if it renames them after all.
     *
     * @param partGone the file's {@code .part} was renamed (always so once {@code target} is set)
     *                 or removed
     */
    private void follow(FileState f, boolean partGone) {
        Path indexSoFar = FileIndex.pathFor(f.part);
        boolean renamed = f.target != null;
        boolean noFinalIndexToCome = f.done.isDone() || closed; // stored, given up, or the run has ended
        try {
            if (renamed && f.written()) {
                Path index = f.target.resolveSibling(FileNamer.indexName(f.target.getFileName().toString()));
                Files.move(indexSoFar, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (!Files.exists(f.target, LinkOption.NOFOLLOW_LINKS)) {
                    // Retention deleted the file before its late index came. Tested after the rename:
                    // retention deletes a file, then its index, so whatever the order one of us removes it.
                    Files.deleteIfExists(index);
                }
                files.remove(f.part);
            } else if (partGone && noFinalIndexToCome) {
                Files.deleteIfExists(indexSoFar); // a snapshot describes no file once its .part is gone
                files.remove(f.part);
            } else if (closed && !f.ended) {
                files.remove(f.part); // never handed to the finisher: the index so far stays beside its .part
            }
            // Else ended, and still a .part at the run's end: the finisher may yet rename it (the
            // sink's last hand-over failed, so the run ended without waiting for it); kept for fileFinished.
        } catch (NoSuchFileException e) {
            files.remove(f.part); // Not written (the file had no records to index); an extraction reads the file.
        } catch (IOException e) {
            files.remove(f.part);
            report.accept("warning: no index for " + (f.target != null ? f.target : f.part) + ": " + e);
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
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                }
                LockSupport.park(this);
                continue;
            }
            FileState f = job.file();
            // Built before taking the lock (it takes the time); a snapshot already superseded by a
            // newer one or by the final index is not built at all, and nothing once closed.
            FileIndex index = null;
            RuntimeException buildFailure = null;
            if (!closed && (job.last() || jobs.isEmpty() && !f.ended)) {
                try {
                    index = job.builder().build(job.length());
                } catch (RuntimeException e) {
                    buildFailure = e;
                }
            }
            synchronized (lock) {
                if (closed) {
                    f.done.complete(false);
                    continue; // the run has ended: nothing more is stored
                }
                if (!job.last()) {
                    // A newer snapshot or the final index supersedes it; none after the file ended.
                    if (index != null && jobs.isEmpty() && !f.ended && f.target == null) {
                        try {
                            index.store(FileIndex.pathFor(f.part));
                        } catch (IOException | RuntimeException e) {
                            // The file is read instead; the final index reports a real problem.
                        }
                    }
                    continue;
                }
                boolean stored = false;
                try {
                    if (index == null) {
                        throw buildFailure;
                    }
                    index.store(FileIndex.pathFor(f.part));
                    stored = true;
                } catch (IOException | RuntimeException ex) {
                    report.accept("warning: cannot write the index of " + f.part + ": " + ex.getMessage());
                    try {
                        Files.deleteIfExists(FileIndex.pathFor(f.part)); // an index so far would outlive its file's .part
                    } catch (IOException ignored) {
                        // An extraction checks an index against its file.
                    }
                } finally {
                    f.done.complete(stored);
                }
                if (f.target != null) {
                    follow(f, true); // the finisher gave up waiting: the index follows its file now
                }
            }
        }
    }
}
