package gulp.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

import static gulp.ring.ByteRingDescriptor.CACHE_LINE_PAIR;
import static gulp.ring.ByteRingDescriptor.DONE_OFFSET;
import static gulp.ring.ByteRingDescriptor.HEAD_OFFSET;
import static gulp.ring.ByteRingDescriptor.PEAK_OFFSET;
import static gulp.ring.ByteRingDescriptor.TAIL_INDEX_OFFSET;
import static gulp.ring.ByteRingDescriptor.TAIL_OFFSET;
import static gulp.ring.ByteRingDescriptor.WANTED_TAIL_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_INDEX_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_POSITION_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_SLOT_LENGTH;

/**
 * A single-producer / single-consumer byte ring in off-heap memory: the buffer between the reader
 * thread (producer) and the writer thread (consumer).
 *
 * <p>Positions are 64-bit byte counts that only grow; the index in the buffer is the position
 * modulo the capacity, so the capacity need not be a power of two and may exceed 2 GiB. Records
 * are a plain byte stream and may straddle the physical end of the buffer. Over memory mapped
 * twice in a row ({@link #overMirrored}, gulp's own rings) none does: the bytes past the end are
 * the buffer's first bytes again, so every record (up to {@link #MIRROR_BYTES} less {@link #ALIGNMENT}) lies in one
 * piece at its index ({@link #span()}), and the paths for a record that straddles the end are never taken (each, the
 * first time, cost a deoptimisation and a recompilation of the reader's whole inlined per-packet
 * path: issue 11). Plain memory ({@link #allocate}, {@link #over}) keeps them.
 *
 * <p>Ordering (as in Agrona's OneToOneRingBuffer): the producer copies bytes, then publishes its
 * tail with a release store; the consumer reads the tail with an acquire load, writes the bytes
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
 * <p>
 * Why one class of this length: the producer and consumer sides share the ring's fields and
 * its memory-ordering rules, which read best together.
 */
public final class ByteRing {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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
    /** No early wrap is pending (the consumer's wrap position). */
    private static final long NO_WRAP = Long.MAX_VALUE;
    /** The producer's states (Producer.state): records follow each other round the buffer, ... */
    private static final int LINEAR = 0;
    /** ... an early wrap is ahead of the consumer, ... */
    private static final int WRAPPED = 1;
    /** ... and a jump after it (the early wrap may be passed or not). */
    private static final int JUMPED = 2;

    private final MemorySegment buffer;
    /** The buffer and, mirrored, the capacity after it again: what the producer and the consumer address. */
    private final MemorySegment view;
    private final MemorySegment positions;
    private final long capacity;
    /** How many bytes from index 0 lie in one piece: the capacity, or mirrored more ({@link #span()}). */
    private final long span;
    /** How far into the buffer the producer's tail must be for an early wrap; {@link #NO_WRAP}: never. */
    private long earlyWrapFrom;
    private final Producer producer;
    /** The thread to wake when data it waits for is published (set by the consumer). */
    private volatile Thread consumerThread;
    private final Consumer consumer;

    private ByteRing(MemorySegment buffer, MemorySegment positions) {
        this(buffer, buffer.byteSize(), positions);
    }

    private ByteRing(MemorySegment view, long capacity, MemorySegment positions) {
        this.view = view;
        this.buffer = view.asSlice(0, capacity);
        this.positions = positions;
        this.capacity = capacity;
        this.span = view.byteSize();
        this.earlyWrapFrom = capacity >= 4 * EARLY_WRAP_FROM ? EARLY_WRAP_FROM : NO_WRAP;
        this.producer = new Producer();
        this.consumer = new Consumer();
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
        earlyWrapFrom = index;
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

    public Producer producer() {
        return producer;
    }

    public Consumer consumer() {
        return consumer;
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
     * their position incrementally with this instead of dividing ({@link #index}) on every copy: a
     * 64-bit division costs tens of cycles, several times per record. Branch-free: the index passes
     * the end once a ring pass, long after the JIT has compiled the path, and a branch first taken
     * then costs a deoptimisation and a recompilation of the whole inlined per-packet path at each
     * place it is inlined (issue 11's CPU figures for a 10 M-packet run).
     */
    private long wrap(long index) {
        long past = index - capacity;
        return past + ((past >> 63) & capacity); // index < capacity: past is negative, add it back
    }

    /** The producer side; use from exactly one thread. */
    public final class Producer {
        private long tail;        // committed (complete records), maybe not yet published
        private long tailIndex;   // index(tail)
        private long cursor;      // where the record being written goes next
        private long cursorIndex; // index(cursor)
        private long claimedEnd;  // cursor may not pass this
        private long cachedHead;
        private long peak;
        /** Claims may end up to this position: {@link #moveLimit()} sets it from the head and the state. */
        private long limitEnd = capacity;
        /** {@link #LINEAR}, {@link #WRAPPED} (an early wrap not yet passed by the consumer) or {@link #JUMPED}. */
        private int state = LINEAR;
        private long wraps;       // early wraps and jumps made: which control-block slot the next one uses
        private long wrapStart;   // WRAPPED, JUMPED: the position of the last early wrap
        private long wrapFrom;    // the index the tail left there
        private long wrapTo;      // the index it went on at
        private long jumpStart;   // JUMPED: the position of the jump
        private long jumpTo;      // the index it went on at
        private final long[] slotPosition = new long[2]; // the position posted in each control-block slot

        /**
         * Whether a wrap (early wrap or jump) may be posted at the tail now, with the head just read:
         * between records, no claim open ({@link #commit} and {@link #abandon} close it); not at the
         * position of the last one (two wraps at one position would be one to the consumer); and
         * only once the head is past the position in the next wrap's slot (a head past a wrap means
         * the consumer saw a tail beyond it, so it had read the slot; a head only at it does not,
         * since a jump is posted after its tail was published).
         */
        private boolean mayPostHere() {
            return claimedEnd == tail && tail != slotPosition[(int) ((wraps + 1) & 1)]
                    && cachedHead > slotPosition[(int) (wraps & 1)];
        }

        private Producer() {
        }

        /**
         * Reserves room for a record of {@code length} bytes at the current tail. Returns false,
         * without waiting, if the ring has no room even after re-reading the consumer's head.
         */
        public boolean tryClaim(long length) {
            if (!roomFor(length)) {
                return false;
            }
            cursor = tail;
            cursorIndex = tailIndex;
            claimedEnd = tail + length;
            return true;
        }

        /**
         * True if {@code length} bytes (at most the capacity: an empty ring always has room) could be
         * claimed now; refreshes the consumer's position if needed.
         */
        public boolean hasRoom(long length) {
            return roomFor(Math.min(length, capacity));
        }

        /** Room for {@code length} bytes after the tail; the consumer's position is re-read only when needed. */
        private boolean roomFor(long length) {
            long end = tail + length;
            if (end > limitEnd) {
                cachedHead = (long) LONG.getAcquire(positions, HEAD_OFFSET);
                moveLimit();
                if (end > limitEnd && state == WRAPPED) {
                    jumpIfItFits(length);
                }
            }
            return end <= limitEnd;
        }

        /**
         * Sets {@link #limitEnd} from the head just read. Linear: a capacity past the head. After an
         * early wrap, until the head passes it: the new records lie from the first page up to the
         * head's index, a limit of {@code wrapFrom - wrapTo} past the head in positions. After a
         * jump, until the head passes it: up to the buffer's end (not into the mirror, whose pages
         * hold the records from the wrap on).
         */
        private void moveLimit() {
            if (state == WRAPPED && cachedHead >= wrapStart || state == JUMPED && cachedHead >= jumpStart) {
                state = LINEAR; // what is unread lies in one piece again
            }
            limitEnd = switch (state) {
                case WRAPPED -> cachedHead + (wrapFrom - wrapTo);
                case JUMPED -> jumpStart + (capacity - jumpTo);
                default -> cachedHead + capacity;
            };
        }

        /**
         * Out of room after an early wrap while the consumer is still before it (a stalled writer,
         * say): the rest of the buffer, from where the tail left it to the end, is free but lies
         * beyond the unread bytes. Jump over them to it (at the tail's offset in its page, as the
         * wrap), so a stall still has nearly the whole ring.
         */
        private void jumpIfItFits(long length) {
            long to = wrapFrom + Math.floorMod(tailIndex - wrapFrom, ALIGNMENT);
            if (to + length > capacity || !mayPostHere()) {
                return;
            }
            postWrap(to);
            jumpStart = tail;
            jumpTo = to;
            state = JUMPED;
            moveLimit();
        }

        /** Says in the control block that the records from the tail on lie from {@code to} on, and goes there. */
        private void postWrap(long to) {
            slotPosition[(int) (wraps & 1)] = tail;
            long slot = (wraps++ & 1) * WRAP_SLOT_LENGTH; // two slots: a wrap and a jump may both be ahead of the consumer
            LONG.set(positions, WRAP_INDEX_OFFSET + slot, to);
            LONG.setRelease(positions, WRAP_POSITION_OFFSET + slot, tail); // seen by the consumer before any tail past it
            tailIndex = to;
            cursorIndex = to;
        }

        /**
         * After a publish with the tail far enough into the buffer: goes on at the buffer's first
         * page when the head is far enough behind (class comment). What is unread then lies from
         * the head's index to the tail's in one piece (used at most the tail's index). Not while an
         * earlier wrap or jump is still ahead of the consumer.
         */
        private void wrapEarlyIfBehind() {
            cachedHead = (long) LONG.getAcquire(positions, HEAD_OFFSET);
            moveLimit();
            long headIndex = tailIndex - (tail - cachedHead);
            if (state != LINEAR || headIndex < earlyWrapFrom / 2 || !mayPostHere()) {
                return; // a backlog (or unread bytes across the end) keeps the ring as it is
            }
            wrapStart = tail;
            wrapFrom = tailIndex;
            wrapTo = tailIndex & (ALIGNMENT - 1);
            postWrap(wrapTo);
            state = WRAPPED;
            moveLimit();
        }

        /**
         * Where the record just claimed ({@link #tryClaim}) starts in {@link #buffer()} when it lies
         * in one piece, or -1 when it straddles the buffer's end (then it is written with
         * {@link #put} and friends). One check per record instead of one in every put: an encoder
         * writes a contiguous record with a few wide stores straight into the buffer and ends it
         * with {@link #commitClaimed()}.
         */
        public long claimedIndexIfContiguous() {
            return claimedEnd - cursor <= span - cursorIndex ? cursorIndex : -1;
        }

        /**
         * The ring's memory, for records written in place at {@link #claimedIndexIfContiguous()}
         * ({@link ByteRing#span()} bytes: mirrored, the ring's first bytes again after its end).
         */
        public MemorySegment buffer() {
            return view;
        }

        /** The ring's capacity (its {@link #buffer()} may be longer: mirrored). */
        public long capacity() {
            return capacity;
        }

        /** Commits the whole claimed record, written in place (see {@link #claimedIndexIfContiguous()}). */
        public void commitClaimed() {
            cursorIndex = wrap(cursorIndex + (claimedEnd - cursor));
            cursor = claimedEnd;
            commit();
        }

        /**
         * Copies bytes of {@code src} into the claimed record, split where they pass what lies in
         * one piece ({@link ByteRing#span()}; mirrored, only a copy longer than the mirror is).
         */
        public void put(MemorySegment src, long srcOffset, long length) {
            assert cursor + length <= claimedEnd : "write past claim";
            long at = cursorIndex;
            long first = Math.min(length, span - at);
            MemorySegment.copy(src, srcOffset, view, at, first);
            if (first < length) { // the rest goes where the span's end is in the buffer (0 unmirrored)
                MemorySegment.copy(src, srcOffset + first, view, span - capacity, length - first);
            }
            cursor += length;
            cursorIndex = wrap(at + length);
        }

        /**
         * Writes four little-endian ints (16 bytes, e.g. a pcap record header) into the claimed
         * record: straight into the buffer, without a staging copy, unless they straddle its end.
         */
        public void putIntsLittleEndian(int first, int second, int third, int fourth) {
            assert cursor + 16 <= claimedEnd : "write past claim";
            long at = cursorIndex;
            if (span - at >= 16) {
                view.set(INT_LE, at, first);
                view.set(INT_LE, at + 4, second);
                view.set(INT_LE, at + 8, third);
                view.set(INT_LE, at + 12, fourth);
                cursorIndex = wrap(at + 16);
                cursor += 16;
            } else {
                putIntLittleEndianSlowly(first);
                putIntLittleEndianSlowly(second);
                putIntLittleEndianSlowly(third);
                putIntLittleEndianSlowly(fourth);
            }
        }

        /** As {@link #putIntsLittleEndian(int, int, int, int)}, three ints (12 bytes, e.g. the rest of a pcapng packet header). */
        public void putIntsLittleEndian(int first, int second, int third) {
            assert cursor + 12 <= claimedEnd : "write past claim";
            long at = cursorIndex;
            if (span - at >= 12) {
                view.set(INT_LE, at, first);
                view.set(INT_LE, at + 4, second);
                view.set(INT_LE, at + 8, third);
                cursorIndex = wrap(at + 12);
                cursor += 12;
            } else {
                putIntLittleEndianSlowly(first);
                putIntLittleEndianSlowly(second);
                putIntLittleEndianSlowly(third);
            }
        }

        /** Writes one little-endian int (e.g. the trailing length of a pcapng block) into the claimed record. */
        public void putIntLittleEndian(int value) {
            assert cursor + 4 <= claimedEnd : "write past claim";
            long at = cursorIndex;
            if (span - at >= 4) {
                view.set(INT_LE, at, value);
                cursorIndex = wrap(at + 4);
                cursor += 4;
            } else {
                putIntLittleEndianSlowly(value);
            }
        }

        /** Writes {@code count} zero bytes (padding to 32 bits: at most a few) into the claimed record. */
        public void putZeros(int count) {
            assert cursor + count <= claimedEnd : "write past claim";
            for (int i = 0; i < count; i++) {
                buffer.set(ValueLayout.JAVA_BYTE, cursorIndex, (byte) 0);
                cursorIndex = wrap(cursorIndex + 1);
            }
            cursor += count;
        }

        private void putIntLittleEndianSlowly(int value) {
            for (int i = 0; i < 4; i++) {
                buffer.set(ValueLayout.JAVA_BYTE, cursorIndex, (byte) (value >>> (8 * i)));
                cursorIndex = wrap(cursorIndex + 1);
            }
            cursor += 4;
        }

        /**
         * Makes the claimed record part of the stream (still invisible to the consumer until
         * {@link #publish()}). Bytes claimed but not written are kept only up to the cursor.
         */
        public void commit() {
            tail = cursor;
            tailIndex = cursorIndex;
            claimedEnd = tail; // no claim open: an early wrap or jump may follow
        }

        /** Abandons the claimed record (the next claim starts at the same place). */
        public void abandon() {
            cursor = tail;
            cursorIndex = tailIndex;
            claimedEnd = tail;
        }

        /** Lets the consumer see everything committed so far, and wakes it if it waits for that. */
        public void publish() {
            // Volatile store and load (once per batch): with the consumer's volatile pair in
            // awaitReadable this is a Dekker handshake, so a parked consumer is never missed.
            LONG.setOpaque(positions, TAIL_INDEX_OFFSET, tailIndex);
            LONG.setVolatile(positions, TAIL_OFFSET, tail);
            long wanted = (long) LONG.getVolatile(positions, WANTED_TAIL_OFFSET);
            if (wanted != 0 && tail >= wanted) {
                // The consumer sleeps until this much is published: wake it once.
                LONG.setRelease(positions, WANTED_TAIL_OFFSET, 0L);
                LockSupport.unpark(consumerThread);
            }
            long used = tail - cachedHead;
            if (used > peak) {
                // cachedHead may be stale, which overstates use; refresh before recording a peak.
                cachedHead = (long) LONG.getAcquire(positions, HEAD_OFFSET);
                used = tail - cachedHead;
                if (used > peak) {
                    peak = used;
                    LONG.setOpaque(positions, PEAK_OFFSET, peak);
                }
            }
            if (tailIndex >= earlyWrapFrom) {
                wrapEarlyIfBehind();
            }
        }

        /** Publishes and declares the end of the stream. */
        public void finish() {
            publish();
            LONG.setRelease(positions, DONE_OFFSET, 1L);
            LockSupport.unpark(consumerThread);
        }

        /** The committed tail position (the producer's own view). */
        public long tail() {
            return tail;
        }

        /**
         * Direct access to the claimed region as at most two contiguous slices, for sources that
         * read input straight into the ring ({@code -c}). Returns the contiguous room at the cursor.
         */
        public MemorySegment contiguousClaimedRegion() {
            long at = cursorIndex;
            long room = Math.min(claimedEnd - cursor, span - at);
            return view.asSlice(at, room);
        }

        /** Advances the cursor after bytes were placed with {@link #contiguousClaimedRegion()}. */
        public void advance(long length) {
            assert cursor + length <= claimedEnd;
            cursor += length;
            cursorIndex = wrap(cursorIndex + length);
        }
    }

    /** The consumer side; use from exactly one thread. */
    public final class Consumer {
        private long head;
        private long headIndex; // index(head)
        private long cachedTail;
        /** index(p) = (p + shift) mod capacity for the positions before {@link #wrapAt}. */
        private long shift;
        /** The position of an early wrap (or jump) not passed yet, or {@link #NO_WRAP}; its records lie from {@link #wrapIndex} on. */
        private long wrapAt = NO_WRAP;
        private long wrapIndex;
        /** A jump after it (at most two are ahead of the consumer), or {@link #NO_WRAP}. */
        private long nextWrapAt = NO_WRAP;
        private long nextWrapIndex;
        /** The last wrap position read from the control block (positions only grow: 0, none yet). */
        private long lastWrap;
        /** How many wraps were read: the next one is in slot {@code learned & 1}. */
        private long learned;

        private Consumer() {
        }

        /**
         * Re-reads the published tail and returns the number of readable bytes; learns of an early
         * wrap the producer made (written before any tail past it, so read after the tail).
         */
        public long refresh() {
            cachedTail = (long) LONG.getAcquire(positions, TAIL_OFFSET);
            if (nextWrapAt == NO_WRAP) {
                // The slots take turns: the next wrap's slot first, the other only if that one was new.
                if (learnWrap() && nextWrapAt == NO_WRAP) {
                    learnWrap();
                }
                while (head >= wrapAt) {
                    passWrap();
                }
            }
            return cachedTail - head;
        }

        /**
         * Takes in the next wrap (in the slot after the last one taken in) if the producer has
         * posted it: a position after the last one. The producer writes a slot only once the head
         * is past the wrap it held, and the index before the position's release store: the pair
         * read here is whole. Returns whether there was one.
         */
        private boolean learnWrap() {
            long slot = (learned & 1) * WRAP_SLOT_LENGTH;
            long wrap = (long) LONG.getAcquire(positions, WRAP_POSITION_OFFSET + slot);
            if (wrap <= lastWrap) {
                return false;
            }
            long index = (long) LONG.get(positions, WRAP_INDEX_OFFSET + slot);
            learned++;
            lastWrap = wrap;
            if (wrapAt == NO_WRAP) {
                wrapAt = wrap;
                wrapIndex = index;
            } else {
                nextWrapAt = wrap;
                nextWrapIndex = index;
            }
            return true;
        }

        /** The head reached the early wrap: the positions from it on lie from the wrap index on. */
        private void passWrap() {
            headIndex = wrap(wrapIndex + (head - wrapAt));
            shift = Math.floorMod(wrapIndex - wrapAt, capacity);
            wrapAt = nextWrapAt;
            wrapIndex = nextWrapIndex;
            nextWrapAt = NO_WRAP;
        }

        /** How many bytes from {@code position} lie on in the same run of the buffer before an early wrap. */
        private long beforeWrap(long position) {
            return position < wrapAt ? wrapAt - position : position < nextWrapAt ? nextWrapAt - position : Long.MAX_VALUE;
        }

        private long index(long position) {
            return Math.floorMod(position + shift, capacity);
        }

        /** Readable bytes according to the last {@link #refresh()}. */
        public long readable() {
            return cachedTail - head;
        }

        public long head() {
            return head;
        }

        /** The last published tail seen: always a record boundary. */
        public long tail() {
            return cachedTail;
        }

        /**
         * A contiguous slice of at most {@code maxBytes} readable bytes starting at the head (it
         * stops at the end of what lies in one piece, {@link ByteRing#span()}; the rest comes in the next call).
         */
        public MemorySegment slice(long maxBytes) {
            long at = headIndex;
            long length = Math.min(Math.min(maxBytes, cachedTail - head), Math.min(span - at, beforeWrap(head)));
            return view.asSlice(at, length);
        }

        /** The same region as a ByteBuffer, for channel writes. */
        public ByteBuffer byteBuffer(long maxBytes) {
            return slice(maxBytes).asByteBuffer();
        }

        /**
         * As {@link #byteBuffer}, from stream position {@code position} (published, not released:
         * the writer's next bytes while earlier ones are still being written from the ring).
         */
        public ByteBuffer byteBufferAt(long position, long maxBytes) {
            long at = indexOf(position);
            long length = Math.min(Math.min(maxBytes, cachedTail - position), Math.min(span - at, beforeWrap(position)));
            return view.asSlice(at, length).asByteBuffer();
        }

        /**
         * Sleeps until the producer has published {@code minReadable} bytes beyond the head, or
         * for {@code timeoutNanos}, whichever comes first. The producer wakes the consumer when
         * it publishes past that point, so a consumer waiting for a full block does not poll.
         */
        public void awaitReadable(long minReadable, long timeoutNanos) {
            consumerThread = Thread.currentThread();
            long wanted = head + minReadable;
            LONG.setVolatile(positions, WANTED_TAIL_OFFSET, wanted);
            if ((long) LONG.getVolatile(positions, TAIL_OFFSET) < wanted && !producerDone()) {
                LockSupport.parkNanos(timeoutNanos);
            }
            LONG.setRelease(positions, WANTED_TAIL_OFFSET, 0L);
        }

        /** Hands {@code length} bytes back to the producer. */
        public void release(long length) {
            head += length;
            if (head >= wrapAt) {
                do {
                    passWrap();
                } while (head >= wrapAt);
            } else {
                headIndex = wrap(headIndex + length);
            }
            LONG.setRelease(positions, HEAD_OFFSET, head);
        }

        /**
         * Copies {@code length} bytes from stream position {@code position} (unreleased, published)
         * into {@code dst} at {@code dstOffset}, split in two where it passes what lies in one
         * piece ({@link ByteRing#span()}).
         */
        public void copyTo(long position, MemorySegment dst, long dstOffset, long length) {
            long at = indexOf(position); // a record never spans an early wrap: it is made between records
            long first = Math.min(length, span - at);
            MemorySegment.copy(view, at, dst, dstOffset, first);
            if (first < length) { // the rest from where the span's end is in the buffer (0 unmirrored)
                MemorySegment.copy(view, span - capacity, dst, dstOffset + first, length - first);
            }
        }

        /**
         * The ring's memory, for reading published bytes in place at {@link #indexOf} (no copy;
         * {@link ByteRing#span()} bytes: mirrored, a record at any index lies whole in it).
         */
        public MemorySegment buffer() {
            return view;
        }

        /** Where stream position {@code position} (published, at most a ring ahead of the head) is in {@link #buffer()}. */
        public long indexOf(long position) {
            if (position >= wrapAt) { // the runs after an early wrap and a jump end before the buffer's end
                return position >= nextWrapAt ? nextWrapIndex + (position - nextWrapAt) : wrapIndex + (position - wrapAt);
            }
            long ahead = position - head;
            return ahead >= 0 && ahead < capacity ? wrap(headIndex + ahead) : index(position);
        }

        /**
         * Reads a little-endian long at a stream position (wrap-aware), for walking records: two
         * adjacent ints of a record header in one read ({@link #intLittleEndianAt} of the first is
         * its low half).
         */
        public long longLittleEndianAt(long position) {
            long at = indexOf(position);
            if (at + 8 <= span) {
                return view.get(LONG_LE_UNALIGNED, at);
            }
            return Integer.toUnsignedLong(intLittleEndianAt(position)) | (long) intLittleEndianAt(position + 4) << 32;
        }

        /** Reads a little-endian int at a stream position (wrap-aware), for walking records. */
        public int intLittleEndianAt(long position) {
            // Callers walk records not yet released, at most a ring ahead of the head: no division.
            long at = indexOf(position);
            if (at + 4 <= span) {
                return view.get(INT_LE, at);
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value |= (buffer.get(ValueLayout.JAVA_BYTE, indexOf(position + i)) & 0xff) << (8 * i);
            }
            return value;
        }
    }
}
