package gulp.output;

import gulp.linux.Libc;
import gulp.linux.NativeException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;

/**
 * O_DIRECT appends to one file with {@link #IN_FLIGHT} writes in flight, each on its own
 * {@link WriteBehind}, submitted in turn: the writer thread waits only for the oldest write, when
 * it needs that one's buffer again, so the disk always has the next write queued (this disk gives
 * about 1.3× one synchronous stream, {@code bench/direct-qd.sh}). One piece of code for every
 * O_DIRECT output ({@code -o} files and a stdout file), used through {@link FileAppender}.
 *
 * <p>Once the file's first write completed, its size is kept ahead of a write submitted beside
 * another with {@code fallocate}: ext4 holds the inode lock through a write that grows the file,
 * so writes overlap only below its size. Each {@code fallocate} (as any change of the size, an
 * extending {@code ftruncate} too) takes that lock exclusively and waits for the writes in flight
 * ({@code inode_dio_wait}): the queue drains once per call, so the size runs ahead by
 * {@link #aheadOf a quarter of the data written since the last flush}, between
 * {@link #MIN_AHEAD_BYTES} and {@link #MAX_AHEAD_BYTES} (21 calls for 4 GiB written without a
 * pause, where a fixed 16 MiB step took 128), and a killed run leaves at most that much of zeros
 * (plus one step). A writer that pauses (bursts, each ended by a flush) starts again at the least,
 * so a flush never frees (and, on a file system mounted with {@code discard}, trims) more than a
 * long uninterrupted stream set ahead. {@link #flush} (the writer idles, a file ends, rotation) waits for
 * every write, writes the partial last block padded with zeros and cuts the file back to its data
 * ({@code ftruncate}), so a file gulp is done with never has a preallocated tail; a file system that
 * refuses {@code fallocate} is said in one line and written without (the writes then wait for each
 * other there).
 *
 * <p>Only whole blocks are written while appending: bytes whose memory shares the file offsets'
 * alignment go to the disk from where they are (the ring: the caller must keep them until
 * {@link #durable()} passes them), behind one copied block that completes the partial block
 * before them; others are copied into a chunk of {@link #CHUNK_BYTES} that is written when full.
 * The partial block at the end stays in memory until the next append or {@link #flush}. Two
 * writes in flight never touch the same block.
 *
 * <p>A failed write goes to the {@link FileAppender.ErrorHandler} when it is the oldest: it
 * returns to have the rest written again (it made room on a full disk), or throws; then the writes
 * after it are waited for (none is in flight when it throws; when it returns, the later writes go on
 * or are written again), and {@link #written()}
 * says how far the file holds the right bytes, whatever later writes put beyond the failed one.
 *
 * <p>Writer thread only; no lock, no allocation per write.
 */
final class DirectWrites implements AutoCloseable {
    /** Writes in flight: measured on this disk (BENCHMARKS.md §3.2), two beat one and four. */
    static final int IN_FLIGHT = 2;
    /** The least the file's size runs ahead of a write that needs it extended (and the unit it is extended in). */
    static final long MIN_AHEAD_BYTES = 32L << 20;
    /** The most the file's size runs ahead: what a killed run can leave of zeros. */
    static final long MAX_AHEAD_BYTES = 256L << 20;
    /**
     * Every size preallocation sets is a multiple of this, so start-up recovery can tell a file
     * that may end in preallocated zeros from its size ({@link #mayEndInPreallocatedZeros}).
     */
    static final long PREALLOCATION_GRAIN = 1L << 20;
    /** The size of a staged write (bytes copied first): as large as the writer's O_DIRECT writes. */
    static final int CHUNK_BYTES = 2 << 20;

    private final int alignment;
    private final int chunkBytes;
    private final FileAppender.ErrorHandler onError;
    private final Consumer<String> report;
    private final WriteBehind[] slots = new WriteBehind[IN_FLIGHT];
    private final long[] dataEnd = new long[IN_FLIGHT]; // where each write's data ends (a flush pads)
    private int next;       // the slot of the next write
    private int inFlight;   // slots busy, the oldest at next - inFlight
    private MemorySegment fill; // the partial chunk or block being gathered (not in flight)
    private boolean preallocationRefused; // said once

    private FileChannel channel;
    private String name;
    private int fd;
    private boolean preallocate;
    private long startOffset;   // where this file's appends began
    private long streakStart;   // the length at the last flush (or the start): how far ahead grows from
    private long expectedEnd;   // where the file is expected to end (-o's size rotation); 0: not known
    private long allocatedEnd;  // the file's size as gulp made it
    private long fillOffset;    // file offset of fill[0], aligned
    private int used;           // bytes in fill
    private long length;        // where the appended bytes end
    private long durable;       // every write below this completed
    private long written;       // the file holds the right bytes up to here (>= durable)
    private long flushedAt;     // the length at the last flush, -1 when the file changed since

    DirectWrites(int alignment, FileAppender.ErrorHandler onError, Consumer<String> report) {
        this.alignment = alignment;
        this.chunkBytes = Math.max(CHUNK_BYTES, alignment) / alignment * alignment;
        this.onError = onError;
        this.report = report;
        for (int i = 0; i < IN_FLIGHT; i++) {
            slots[i] = new WriteBehind(i, chunkBytes, alignment);
        }
        this.fill = java.lang.foreign.Arena.ofAuto().allocate(chunkBytes, alignment);
    }

    /** Starts appending at {@code offset} (aligned) to {@code channel}, open with O_DIRECT as descriptor {@code fd}. */
    void start(FileChannel channel, int fd, String name, long offset) throws IOException {
        if (offset % alignment != 0) {
            throw new IllegalArgumentException("O_DIRECT output must start at an aligned offset, not " + offset);
        }
        this.channel = channel;
        this.fd = fd;
        this.name = name;
        this.preallocate = !preallocationRefused;
        this.allocatedEnd = channel.size();
        this.startOffset = offset;
        this.streakStart = offset;
        this.expectedEnd = 0;
        this.fillOffset = offset;
        this.used = 0;
        this.length = offset;
        this.durable = offset;
        this.written = offset;
        this.flushedAt = -1;
    }

    long length() {
        return length;
    }

    /**
     * The file (started last) is expected to end at about {@code end} ({@code -o} cuts files before
     * they exceed a size): its size is never set further ahead than that, plus two writes, so the
     * rotation's cut-back frees (on a file system mounted with {@code discard}: trims) little.
     * Past it, the size runs ahead as without.
     */
    void expectEnd(long end) {
        this.expectedEnd = end;
    }

    /** Every write below this completed (the oldest writes that completed without a failure are taken in first; no wait). */
    long durable() {
        while (inFlight > 0) {
            int index = Math.floorMod(next - inFlight, IN_FLIGHT);
            if (!slots[index].done() || slots[index].failed()) {
                break; // a failure waits for the next append or flush, which handles it
            }
            inFlight--;
            durable = dataEnd[index];
            written = Math.max(written, durable);
        }
        return durable;
    }

    long written() {
        return written;
    }

    /** Appends all of {@code bytes}; returns once they are copied or their writes submitted. */
    void append(ByteBuffer bytes) throws IOException {
        MemorySegment from = MemorySegment.ofBuffer(bytes);
        long n = from.byteSize();
        long before = length;
        try {
            if (bytes.isDirect() && n >= 2L * alignment && Math.floorMod(from.address() - length, alignment) == 0) {
                appendInPlace(from, n);
            } else {
                appendStaged(from, n);
            }
        } catch (IOException | RuntimeException e) {
            length = before; // this call's bytes were not taken (an earlier write failed)
            throw e;
        }
        bytes.position(bytes.limit());
    }

    /**
     * What {@link #fill} holds, its last block completed from {@code from}, then {@code from}'s
     * whole blocks from where they are (so a staged start never keeps the later writes copying).
     */
    private void appendInPlace(MemorySegment from, long n) throws IOException {
        int head = Math.floorMod(-used, alignment); // completes fill's last block
        int staged = used + head;                  // <= chunkBytes: fill is never full here
        long whole = (n - head) / alignment * alignment;
        int rest = (int) (n - head - whole);
        WriteBehind slot = freeSlot();
        int count = 0;
        if (staged > 0) {
            MemorySegment block = slot.buffer();
            MemorySegment.copy(fill, 0, block, 0, used);
            MemorySegment.copy(from, 0, block, used, head);
            slot.set(count++, block.address(), staged);
        }
        slot.set(count++, from.address() + head, whole);
        long at = fillOffset;
        long end = at + staged + whole;
        MemorySegment.copy(from, head + whole, fill, 0, rest);
        used = rest;
        fillOffset = end;
        length += n;
        submit(slot, count, at, end - at, end);
    }

    /** Copied into {@link #fill}; each full chunk is written while the next is copied. */
    private void appendStaged(MemorySegment from, long n) throws IOException {
        long done = 0;
        while (done < n) {
            int take = (int) Math.min(n - done, chunkBytes - used);
            MemorySegment.copy(from, done, fill, used, take);
            used += take;
            done += take;
            length += take;
            if (used == chunkBytes) {
                WriteBehind slot = freeSlot();
                MemorySegment full = fill;
                fill = slot.swapBuffer(full);
                slot.set(0, full.address(), chunkBytes);
                long at = fillOffset;
                fillOffset += chunkBytes;
                used = 0;
                submit(slot, 1, at, chunkBytes, at + chunkBytes);
            }
        }
    }

    /**
     * Waits for every write; writes the partial last block (padded with zeros) and cuts the file
     * back to {@link #length()}: it then holds exactly the bytes appended, and no preallocated tail.
     * The partial block stays in memory for the next append, which writes it again.
     */
    void flush() throws IOException {
        if (inFlight == 0 && length == flushedAt) {
            return; // nothing appended since the last flush (a file's end flushes more than once)
        }
        drain();
        if (used > 0) {
            long padded = (used + alignment - 1) / alignment * alignment;
            WriteBehind slot = freeSlot();
            MemorySegment block = slot.buffer();
            MemorySegment.copy(fill, 0, block, 0, used);
            block.asSlice(used, padded - used).fill((byte) 0);
            slot.set(0, block.address(), padded);
            submitUnallocated(slot, 1, fillOffset, padded, length); // the file is cut back to its data next
            drain();
        }
        if (channel.size() > length) {
            channel.truncate(length);
        }
        allocatedEnd = length;
        flushedAt = length;
        streakStart = length;
    }

    /** Waits for every write in flight, each failure handled in turn (see the class comment). */
    void drain() throws IOException {
        while (inFlight > 0) {
            reapOldest();
        }
    }

    /** Cuts the file back to {@code size} (after a failure); nothing is in flight then. */
    void cutTo(long size) throws IOException {
        awaitAllQuietly();
        channel.truncate(size);
        length = Math.min(length, size);
        written = Math.min(written, size);
        durable = Math.min(durable, size);
        allocatedEnd = Math.min(allocatedEnd, size);
        streakStart = Math.min(streakStart, size);
        used = 0;
        flushedAt = -1;
    }

    /** Waits for the writes in flight without handling their failures (the file failed already). */
    void awaitAllQuietly() {
        for (WriteBehind slot : slots) {
            slot.await();
        }
        inFlight = 0;
    }

    @Override
    public void close() {
        awaitAllQuietly();
        for (WriteBehind slot : slots) {
            slot.close();
        }
    }

    /** The next slot, once its last write (the oldest in flight, if all are busy) completed. */
    private WriteBehind freeSlot() throws IOException {
        if (inFlight == IN_FLIGHT) {
            reapOldest();
        }
        return slots[next];
    }

    /** Submits a write; the file's size is kept ahead of it when another write is in flight beside it. */
    private void submit(WriteBehind slot, int count, long at, long bytes, long dataEndsAt) throws IOException {
        if (inFlight > 0) { // one write at a time (a slow stream, flushed each time) needs no preallocated tail
            preallocate(at + bytes);
        }
        submitUnallocated(slot, count, at, bytes, dataEndsAt);
    }

    private void submitUnallocated(WriteBehind slot, int count, long at, long bytes, long dataEndsAt) {
        dataEnd[next] = dataEndsAt;
        slot.submit(fd, count, at, bytes);
        next = (next + 1) % IN_FLIGHT;
        inFlight++;
    }

    /**
     * Keeps the file's size ahead of {@code end}, once the file's first write completed (a kill
     * before then leaves no file that starts with zeros); a refusal ends preallocation (for the
     * run, if the file system cannot).
     */
    private void preallocate(long end) {
        if (!preallocate || end <= allocatedEnd || durable == startOffset) {
            return;
        }
        long target = (end + aheadOf(end - streakStart) + MIN_AHEAD_BYTES - 1) / MIN_AHEAD_BYTES * MIN_AHEAD_BYTES;
        long expected = roundUp(expectedEnd + 2L * chunkBytes, PREALLOCATION_GRAIN);
        if (expectedEnd > 0 && end <= expected) {
            target = Math.min(target, expected); // still beyond end: end <= expected
        }
        try {
            Libc.current().fallocate(fd, allocatedEnd, target - allocatedEnd);
            allocatedEnd = target;
        } catch (NativeException e) {
            preallocate = false; // a full disk: the writes find out themselves
            if (!OutOfSpaceException.isOutOfSpace(e.errno())) {
                preallocationRefused = true;
                report.accept("the file system of " + name + " refuses fallocate (" + Libc.strerror(e.errno())
                        + "): O_DIRECT writes grow the file one at a time, without overlapping");
            }
        }
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    /** Whether a file of {@code size} bytes may end in zeros that preallocation set and no write reached. */
    static boolean mayEndInPreallocatedZeros(long size) {
        return size > 0 && size % PREALLOCATION_GRAIN == 0;
    }

    /** How far the size is set ahead of a write when {@code written} bytes were appended since the last flush: a quarter of them, within the bounds. */
    static long aheadOf(long written) {
        return Math.clamp(written / 4, MIN_AHEAD_BYTES, MAX_AHEAD_BYTES);
    }

    /**
     * Waits for the oldest write; a failure goes to the handler, which makes room (the rest is
     * written again) or throws (the later writes are waited for first). A full disk whose space
     * the later writes took (they ran beside the failed one) first gets that space back: the file
     * is cut back to where the failed write stopped, that write goes on, and the later ones are
     * written again after it, so the file keeps every whole record that fits.
     */
    private void reapOldest() throws IOException {
        int index = Math.floorMod(next - inFlight, IN_FLIGHT);
        WriteBehind slot = slots[index];
        IOException failure = slot.await();
        boolean rewriteLater = false;
        while (failure != null) {
            long stoppedAt = slot.position() + slot.reached();
            written = Math.max(written, Math.min(stoppedAt, dataEnd[index]));
            if (failure instanceof OutOfSpaceException && !rewriteLater && laterWritesReachedTheFile()) {
                channel.truncate(stoppedAt); // the later writes' bytes, and the space they took
                allocatedEnd = Math.min(allocatedEnd, stoppedAt);
                rewriteLater = true;
            } else {
                try {
                    onError.handle(failure);
                } catch (IOException | RuntimeException e) {
                    inFlight--;
                    awaitAllQuietly();
                    throw e;
                }
            }
            slot.resume();
            failure = slot.await();
        }
        inFlight--;
        durable = dataEnd[index];
        written = Math.max(written, durable);
        if (rewriteLater) {
            for (int i = inFlight; i > 0; i--) {
                slots[Math.floorMod(next - i, IN_FLIGHT)].restart();
            }
        }
    }

    /** Waits for the writes after the oldest; whether any of them put bytes in the file. */
    private boolean laterWritesReachedTheFile() {
        boolean reached = false;
        for (int i = inFlight - 1; i > 0; i--) {
            WriteBehind later = slots[Math.floorMod(next - i, IN_FLIGHT)];
            later.await();
            reached |= later.reached() > 0;
        }
        return reached;
    }
}
