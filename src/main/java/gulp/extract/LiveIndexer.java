package gulp.extract;

import gulp.format.PcapRecordHeader;
import gulp.output.FileIndexHook;
import gulp.output.FileNamer;
import gulp.ring.ByteRing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * The index an {@code -o} run keeps beside each file, built beside the writer, not in its loop:
 * the writer copies each record's offset, timestamp and first {@link #COPIED} bytes into a slot of
 * a single-producer single-consumer queue ({@link #SLOTS} slots of {@link #SLOT} bytes, off-heap;
 * one release store per record, no allocation, no lock) and goes on; the {@code gulp-index}
 * thread builds the {@link FileIndex}. When the queue is full the record is not indexed and the
 * file's index is marked incomplete (an extraction then reads the file itself): the writer never
 * waits. When a file ends the index is written as {@code .NAME.idx.part}; the finisher, after
 * renaming the file, renames it to {@code NAME.idx} (waiting at most {@link #FINISH_WAIT_MS} ms for it).
 * <pre>
 * slot (160 bytes): record offset in the file (8) | timestamp ns (8) | caplen (4) | data offset in the record (4)
 *                   | the record's first 136 bytes (a pcap record: header 16, data 120)
 *                   offset = -1: a file event (start or end) from {@link #events}
 * </pre>
 */
public final class LiveIndexer implements FileIndexHook {
    static final int SLOT = 160;
    private static final int COPY_AT = 24;
    static final int SLOTS = 1 << 15;
    static final int COPIED = SLOT - COPY_AT;
    /** Slots kept free for file events, so they always fit. */
    private static final int EVENT_RESERVE = 4;
    static final long FINISH_WAIT_MS = 5_000;
    /** How often the index so far of the file being written is published ({@code .NAME.idx.part}). */
    static final long SNAPSHOT_NANOS = 1_000_000_000L;
    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);

    private record Event(boolean start, Path part, Path target, CompletableFuture<Boolean> written, long length,
                         boolean incomplete) {
    }

    private final int linkTypeField;
    private final Consumer<String> report;
    private final MemorySegment slots = Arena.ofAuto().allocate((long) SLOTS * SLOT, 64);
    /** [0] producer's tail, [8] consumer's head (padded apart). */
    private final long[] positions = new long[16];
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Path, CompletableFuture<Boolean>> written = new ConcurrentHashMap<>();
    private final Thread thread;
    // writer thread
    private long tail;
    private long cachedHead;
    private long headerLength;
    private boolean dropped;
    private long droppedTotal;
    // index thread
    private IndexBuilder builder;
    private Path part;
    private Path target;
    private CompletableFuture<Boolean> done;
    private long indexedEnd;    // end of the last record indexed
    private long snapshotEnd;   // what the last published index so far covers
    private long lastSnapshot;

    public LiveIndexer(int linkTypeField, Consumer<String> report) {
        this.linkTypeField = linkTypeField;
        this.report = report;
        this.thread = Thread.ofPlatform().daemon().name("gulp-index").start(this::run);
    }

    /** Records not indexed because the queue was full. */
    public long droppedRecords() {
        return droppedTotal;
    }

    @Override
    public void fileStarted(Path part, Path target, long headerLength) {
        this.headerLength = headerLength;
        this.dropped = false;
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        written.put(part, done);
        event(new Event(true, part, target, done, 0, false));
    }

    @Override
    public void record(ByteRing.Consumer ring, long position, long recordsOffset, long timestampNanos, long dataOffset,
                       int caplen) {
        if (!room(EVENT_RESERVE + 1)) {
            dropped = true;
            droppedTotal++;
            return;
        }
        long at = (tail & (SLOTS - 1)) * SLOT;
        slots.set(ValueLayout.JAVA_LONG, at, headerLength + recordsOffset);
        slots.set(ValueLayout.JAVA_LONG, at + 8, timestampNanos);
        slots.set(ValueLayout.JAVA_INT, at + 16, caplen);
        slots.set(ValueLayout.JAVA_INT, at + 20, (int) dataOffset);
        ring.copyTo(position, slots, at + COPY_AT, Math.min(COPIED, dataOffset + caplen));
        LONG.setRelease(positions, 0, ++tail);
    }

    @Override
    public void fileEnded(long length) {
        event(new Event(false, null, null, null, length, dropped));
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

    private boolean room(int needed) {
        if (tail - cachedHead + needed <= SLOTS) {
            return true;
        }
        cachedHead = (long) LONG.getAcquire(positions, 8);
        return tail - cachedHead + needed <= SLOTS;
    }

    private void event(Event e) {
        events.add(e); // before its slot is published: the index thread finds it there
        long at = (tail & (SLOTS - 1)) * SLOT;
        slots.set(ValueLayout.JAVA_LONG, at, -1L);
        LONG.setRelease(positions, 0, ++tail);
    }

    private void run() {
        long head = 0;
        int idle = 0;
        while (true) {
            long available = (long) LONG.getAcquire(positions, 0);
            if (head == available) {
                snapshot();
                LockSupport.parkNanos(idle++ < 100 ? 50_000 : 2_000_000);
                continue;
            }
            idle = 0;
            while (head < available) {
                long at = (head & (SLOTS - 1)) * SLOT;
                long offset = slots.get(ValueLayout.JAVA_LONG, at);
                if (offset == -1L) {
                    onEvent(events.poll());
                } else if (builder != null) {
                    long ts = slots.get(ValueLayout.JAVA_LONG, at + 8);
                    int caplen = slots.get(ValueLayout.JAVA_INT, at + 16);
                    int dataOffset = slots.get(ValueLayout.JAVA_INT, at + 20);
                    if (!builder.hasFirstRecord()) {
                        builder.firstRecordHeader(slots.asSlice(at + COPY_AT, 16).toArray(ValueLayout.JAVA_BYTE));
                    }
                    builder.add(offset, ts, slots, at + COPY_AT + dataOffset,
                            Math.max(0, Math.min(caplen, Math.min(TrafficSummary.SNIFF_BYTES, COPIED - dataOffset))));
                    indexedEnd = offset + dataOffset + Integer.toUnsignedLong(caplen);
                }
                head++;
            }
            LONG.setRelease(positions, 8, head);
        }
    }

    /**
     * At most once a second while idle, the index so far of the file being written, for
     * extractions of its newest packets: they read only what was written after it.
     */
    private void snapshot() {
        long now = System.nanoTime();
        if (builder == null || indexedEnd == snapshotEnd || now - lastSnapshot < SNAPSHOT_NANOS) {
            return;
        }
        lastSnapshot = now;
        snapshotEnd = indexedEnd;
        try {
            builder.build(indexedEnd).store(FileIndex.pathFor(part));
        } catch (IOException | RuntimeException e) {
            // The file is read instead; the final index reports a real problem.
        }
    }

    private void onEvent(Event e) {
        if (e.start()) {
            indexedEnd = snapshotEnd = 0;
            builder = new IndexBuilder(linkTypeField);
            part = e.part();
            target = e.target();
            done = e.written();
            return;
        }
        if (builder == null) {
            return;
        }
        if (e.incomplete()) {
            builder.markIncomplete();
        }
        boolean ok = false;
        try {
            builder.build(e.length()).store(FileIndex.pathFor(part));
            ok = true;
        } catch (IOException | RuntimeException ex) {
            report.accept("warning: cannot write the index of " + target + ": " + ex.getMessage());
        } finally {
            builder = null;
            if (done != null) {
                done.complete(ok);
            }
        }
    }
}
