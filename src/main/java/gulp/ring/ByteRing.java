package gulp.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static gulp.ring.ByteRingDescriptor.CACHE_LINE_PAIR;
import static gulp.ring.ByteRingDescriptor.DONE_OFFSET;
import static gulp.ring.ByteRingDescriptor.HEAD_OFFSET;
import static gulp.ring.ByteRingDescriptor.PEAK_OFFSET;
import static gulp.ring.ByteRingDescriptor.TAIL_INDEX_OFFSET;
import static gulp.ring.ByteRingDescriptor.TAIL_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_INDEX_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_POSITION_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_SLOT_LENGTH;

/**
 * A single-producer / single-consumer byte ring in off-heap memory: the buffer between the reader
 * thread (producer) and the writer thread (consumer).
 *
 * <p>Positions are 64-bit byte counts that only grow; the index in the buffer is the position
 * modulo the capacity, shifted at each early wrap or jump (below), so the capacity need not be a power of two and may exceed 2 GiB. Records
 * are a plain byte stream and may straddle the physical end of the buffer. Over memory mapped
 * twice in a row ({@link #overMirrored}, gulp's own rings) none does: the bytes past the end are
 * the buffer's first bytes again, so every record (up to {@link #MIRROR_BYTES} less {@link #ALIGNMENT}) lies in one
 * piece at its index ({@link #span()}), and the paths for a record that straddles the end are never taken (each, the
 * first time, cost a deoptimisation and a recompilation of the reader's whole inlined per-packet
 * path: issue 11). Plain memory ({@link #allocate}, {@link #over}) keeps them.
 *
 * <p>Ordering (as in Agrona's OneToOneRingBuffer): the producer copies bytes, then publishes its
 * tail with a volatile store (a release, and with the consumer's wait a Dekker pair); the consumer reads the tail with an acquire load, writes the bytes
 * out, then releases the head. The positions live in a separate control block laid out by
 * {@link ByteRingDescriptor}, head and tail on cache lines of their own, so the threads do not
 * false-share.
 *
 * <p>Early wrap: a ring sized for a disk stall (up to 2 GiB) is mostly empty while the writer
 * keeps up, and a producer that always went on where it stopped would pass through all of it:
 * every first write of a page a page fault, every store a cache miss to memory. So when the
 * producer publishes with its tail at least {@link #EARLY_WRAP_FROM} into the buffer and the
 * consumer's head at least half that far (what is unread lies between the two, in one piece), it
 * goes on at the buffer's first page instead, at the tail's offset in its page (a byte keeps its
 * address's alignment, which O_DIRECT writes from the ring need), and says so in the control
 * block ({@link ByteRingDescriptor}: a wrap position and index). Positions go on growing as
 * before: only where the records from the wrap position on lie changes. Until the consumer has
 * passed the wrap, the producer's room ends at the head's index; should it run out of room
 * meanwhile (the writer stalled), it jumps over the unread bytes to where the tail left the
 * buffer, and fills the rest of it up to the end (a second posted wrap), so a stall still has
 * nearly the whole ring. Once the consumer has passed them, the whole capacity is the room again.
 * The consumer learns of wraps when it refreshes the tail, cuts its slices at them and passes
 * them as it releases. So while the writer keeps up, the ring's traffic stays in its first
 * {@link #EARLY_WRAP_FROM} and a bit (warm in the cache and faulted in once).
 *
 * <p>The producer publishes only at record boundaries, so every tail the consumer sees is a place
 * where an output file may end. That is the hook for rotation: the writer cuts files only at
 * positions it has seen published, or that it finds by walking complete records.
 *
 * <p>Where each part is: this class holds what both sides share (the memory, the capacity, the
 * control block and its loads for other threads, {@link #wrap(long, long)}) and makes the two
 * sides. {@link ByteRingProducer} (one thread: the reader) claims, writes, commits and publishes,
 * and makes the early wraps and jumps, posting them in the wrap slots
 * ({@code ByteRingProducer.postWrap}); {@link ByteRingConsumer} (one thread: the writer) refreshes
 * the tail, learns the wraps from the slots ({@code ByteRingConsumer.learnWrap}), slices and
 * releases. Each store and load on the control block carries its ordering comment where it is
 * made; {@link ByteRingDescriptor} has the table of who writes each slot and how.
 */
public final class ByteRing {
    /** The control block's 64-bit slots, for this class and both sides (static final: the JIT folds it). */
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The block size the ring is placed against (see {@link #allocate(long, Arena, int)}). */
    public static final long ALIGNMENT = 4096;
    /**
     * How much of a mirrored ring's start is mapped again after its end ({@link #overMirrored}):
     * more than the longest record (a packet of the largest snaplen, 256 KiB, with its header and
     * options), and a multiple of 2 MiB, so the anonymous rest of the ring begins 2 MiB after the
     * mapping's start (where the kernel can give it large folios if the mapping is so aligned).
     */
    public static final long MIRROR_BYTES = 2L << 20;
    /**
     * How far into the buffer the tail must be before the producer wraps early (see the class
     * comment); rings of less than four times this never do. 16 MiB: small against the ring and
     * the cache-sized part of it, large against a batch (a kernel block). BENCHMARKS.md §3.0 round
     * 12: the 10 M x 64 B one-CPU run took 0.080 CPU s per M packets in steady state against
     * 0.112 without (the first pass through a 1 GiB ring: its page faults and cache misses).
     */
    public static final long EARLY_WRAP_FROM = 16L << 20;
    /** No early wrap is pending (the consumer's wrap position); as the producer's early wrap index: never. */
    static final long NO_WRAP = Long.MAX_VALUE;

    /* Final fields the sides copy when they are made (so they must be set before that). */
    /** The capacity's bytes only. */
    final MemorySegment buffer;
    /** The buffer and, mirrored, the capacity after it again: what the producer and the consumer address. */
    final MemorySegment view;
    final MemorySegment positions;
    final long capacity;
    /** How many bytes from index 0 lie in one piece: the capacity, or mirrored more ({@link #span()}). */
    final long span;
    /** The producer's (position, record count) marks, for a consumer that counts records ({@link ByteRingMarks}). */
    final ByteRingMarks marks = new ByteRingMarks(ByteRingMarks.DEFAULT_CAPACITY);
    private final ByteRingProducer producer;
    /** The thread to wake when data it waits for is published (set by the consumer, read by the producer). */
    volatile Thread consumerThread;
    private final ByteRingConsumer consumer;

    private ByteRing(MemorySegment buffer, MemorySegment positions) {
        this(buffer, buffer.byteSize(), positions);
    }

    private ByteRing(MemorySegment view, long capacity, MemorySegment positions) {
        this.view = view;
        this.buffer = view.asSlice(0, capacity);
        this.positions = positions;
        this.capacity = capacity;
        this.span = view.byteSize();
        this.producer = new ByteRingProducer(this, capacity >= 4 * EARLY_WRAP_FROM ? EARLY_WRAP_FROM : NO_WRAP);
        this.consumer = new ByteRingConsumer(this);
    }

    /**
     * Allocates a ring of {@code capacity} bytes in a shared arena (both threads touch it) and
     * pre-faults it, so the first burst does not pay for page faults.
     */
    public static ByteRing allocate(long capacity, Arena arena) {
        return allocate(capacity, arena, 0);
    }

    /**
     * Like {@link #allocate(long, Arena)}, with the ring's first byte {@code addressOffset} bytes
     * past a page boundary. Gulp passes the length of the file header it writes before the ring's
     * bytes: a ring byte and the file offset it is written to then share their alignment, so
     * O_DIRECT writes whole blocks straight from the ring (output.FileAppender).
     */
    public static ByteRing allocate(long capacity, Arena arena, int addressOffset) {
        if (capacity < 4096) {
            throw new IllegalArgumentException("ring capacity must be at least 4096 bytes, not " + capacity);
        }
        long offset = Math.floorMod(addressOffset, ALIGNMENT);
        MemorySegment buffer = offset == 0 ? arena.allocate(capacity, ALIGNMENT)
                : arena.allocate(capacity + ALIGNMENT, ALIGNMENT).asSlice(offset, capacity);
        MemorySegment positions = arena.allocate(ByteRingDescriptor.LENGTH, CACHE_LINE_PAIR);
        return new ByteRing(buffer, positions);
    }

    /**
     * Like {@link #allocate(long, Arena, int)}, in {@code memory} the caller allocated (page-aligned,
     * at least {@code capacity + ALIGNMENT} bytes; gulp's ring is an anonymous mapping populated by
     * the kernel, {@code Libc.mapAnonymous}); the positions are allocated in {@code arena}.
     */
    public static ByteRing over(MemorySegment memory, long capacity, Arena arena, int addressOffset) {
        if (capacity < 4096) {
            throw new IllegalArgumentException("ring capacity must be at least 4096 bytes, not " + capacity);
        }
        if (memory.address() % ALIGNMENT != 0 || memory.byteSize() < capacity + ALIGNMENT) {
            throw new IllegalArgumentException("ring memory must be page-aligned and hold " + (capacity + ALIGNMENT) + " bytes");
        }
        MemorySegment buffer = memory.asSlice(Math.floorMod(addressOffset, ALIGNMENT), capacity);
        return new ByteRing(buffer, arena.allocate(ByteRingDescriptor.LENGTH, CACHE_LINE_PAIR));
    }

    /**
     * Like {@link #over}, in memory whose first {@code mirror} bytes are mapped again right after
     * its {@code capacity} ({@code Libc.mapMirrored}: {@code capacity + mirror} bytes, page-aligned),
     * so no record of up to {@code mirror - ALIGNMENT} bytes straddles the ring's end
     * ({@link #span()}). The ring starts {@code addressOffset} bytes into the memory, as with
     * {@link #over}.
     */
    public static ByteRing overMirrored(MemorySegment memory, long capacity, long mirror, Arena arena, int addressOffset) {
        if (capacity < 4096 || capacity % ALIGNMENT != 0 || mirror <= ALIGNMENT || mirror % ALIGNMENT != 0 || mirror > capacity) {
            throw new IllegalArgumentException("a mirrored ring needs whole pages and a mirror of more than one page, at most"
                    + " the capacity: " + capacity + " and " + mirror + " bytes");
        }
        if (memory.address() % ALIGNMENT != 0 || memory.byteSize() < capacity + mirror) {
            throw new IllegalArgumentException("mirrored ring memory must be page-aligned and hold " + (capacity + mirror)
                    + " bytes");
        }
        // The last page of the mirror is what the address offset uses up.
        MemorySegment view = memory.asSlice(Math.floorMod(addressOffset, ALIGNMENT), capacity + mirror - ALIGNMENT);
        return new ByteRing(view, capacity, arena.allocate(ByteRingDescriptor.LENGTH, CACHE_LINE_PAIR));
    }

    public long capacity() {
        return capacity;
    }

    /**
     * Has the producer wrap early from {@code index} into the buffer on (see the class comment;
     * at least two pages, less than the capacity), for rings too small for {@link #EARLY_WRAP_FROM}
     * (the JIT warm-up's scratch ring, tests). Call before either side is used.
     */
    public ByteRing earlyWrapFrom(long index) {
        if (index < 2 * ALIGNMENT || index >= capacity) {
            throw new IllegalArgumentException("an early wrap needs at least two pages and less than the capacity: " + index);
        }
        producer.earlyWrapFrom = index;
        return this;
    }

    /**
     * How many bytes from index 0 of the buffer can be addressed in one piece: the capacity, or in
     * mirrored memory ({@link #overMirrored}) the capacity and the mirror after it (less a page), so
     * a record from any index lies whole in the producer's and the consumer's {@code buffer()}.
     */
    public long span() {
        return span;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    public ByteRingProducer producer() {
        return producer;
    }

    public ByteRingConsumer consumer() {
        return consumer;
    }

    /** The marks {@link ByteRingProducer#publish(long)} makes, for the consumer (its thread only). */
    public ByteRingMarks marks() {
        return marks;
    }

    /**
     * Bytes published and not yet released, as seen from any thread (for status lines): between 0
     * and the capacity. The head is read before the tail: both only grow and the head never passes
     * the tail, so a tail read later is at least the head read earlier (read the other way round,
     * the consumer can release past a tail read a moment before, and the use comes out negative).
     * A tail read later may also be more than a capacity past that head; the use is then capped.
     */
    public long used() {
        long head = (long) LONG.getAcquire(positions, HEAD_OFFSET);
        long tail = (long) LONG.getAcquire(positions, TAIL_OFFSET);
        return Math.min(tail - head, capacity);
    }

    /**
     * The tail the producer last published, as seen from any thread (one acquire load):
     * for threads that follow the producer from behind, such as the one that faults a live
     * capture's ring in ahead of it (run.RingFaultIn).
     */
    public long published() {
        return (long) LONG.getAcquire(positions, TAIL_OFFSET);
    }

    /**
     * Where in {@link #buffer()} the tail the producer last published lies, as seen from any thread
     * (one opaque load): a hint for a thread that faults pages in ahead of it (it may lag the tail).
     */
    public long publishedIndex() {
        return (long) LONG.getOpaque(positions, TAIL_INDEX_OFFSET);
    }

    /**
     * The position of the producer's last early wrap or jump (class comment), as seen from any
     * thread; 0: none yet. Read after {@link #published()}, it is at least the wraps before that tail.
     */
    public long lastEarlyWrap() {
        return Math.max((long) LONG.getAcquire(positions, WRAP_POSITION_OFFSET),
                (long) LONG.getAcquire(positions, WRAP_POSITION_OFFSET + WRAP_SLOT_LENGTH));
    }

    /** The highest {@link #used()} the producer observed when publishing. */
    public long peakUsed() {
        return (long) LONG.getOpaque(positions, PEAK_OFFSET);
    }

    /** True once the producer has said it will publish nothing more. */
    public boolean producerDone() {
        return (long) LONG.getAcquire(positions, DONE_OFFSET) != 0;
    }

    /**
     * Brings an index in [0, 2 * capacity) back into the buffer. The hot paths keep the index of
     * their position incrementally with this instead of dividing (the consumer's index) on every copy: a
     * 64-bit division costs tens of cycles, several times per record. Branch-free: the index passes
     * the end once a ring pass, long after the JIT has compiled the path, and a branch first taken
     * then costs a deoptimisation and a recompilation of the whole inlined per-packet path at each
     * place it is inlined (issue 11's CPU figures for a 10 M-packet run).
     */
    static long wrap(long index, long capacity) {
        long past = index - capacity;
        return past + ((past >> 63) & capacity); // index < capacity: past is negative, add it back
    }

    /**
     * For tests only (ByteRingStallStressTest): the index posted with wrap position {@code position}
     * (more than 0: an empty slot holds 0) in either wrap slot, or -1 if neither holds it. An early wrap goes to the first page (an
     * index below {@link #ALIGNMENT}), a jump past it. Read as the consumer does: the position
     * with an acquire load, then the index.
     */
    long postedWrapIndex(long position) {
        for (long slot = 0; slot <= WRAP_SLOT_LENGTH; slot += WRAP_SLOT_LENGTH) {
            if ((long) LONG.getAcquire(positions, WRAP_POSITION_OFFSET + slot) == position) {
                return (long) LONG.get(positions, WRAP_INDEX_OFFSET + slot);
            }
        }
        return -1;
    }
}
