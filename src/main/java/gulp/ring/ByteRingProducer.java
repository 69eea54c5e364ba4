package gulp.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

import static gulp.ring.ByteRing.ALIGNMENT;
import static gulp.ring.ByteRing.INT_LE;
import static gulp.ring.ByteRing.LONG;
import static gulp.ring.ByteRing.wrap;
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
 * The producer side of a {@link ByteRing} (the reader thread); use from exactly one thread. It
 * claims, writes and commits records, publishes the tail with a volatile store ({@link #publish()}),
 * and makes the early wraps and jumps ({@code wrapEarlyIfBehind}, {@code jumpIfItFits}) that the
 * {@link ByteRing} class comment describes, posting them in the control block's two wrap slots
 * ({@code postWrap}); {@link ByteRingConsumer} learns of them from there.
 */
public final class ByteRingProducer {
    /** The producer's states ({@link #state}): records follow each other round the buffer, ... */
    private static final int LINEAR = 0;
    /** ... an early wrap is ahead of the consumer, ... */
    private static final int WRAPPED = 1;
    /** ... and a jump after it (the early wrap may be passed or not). */
    private static final int JUMPED = 2;

    /** The ring, for the consumer thread to wake ({@link ByteRing#consumerThread}). */
    private final ByteRing ring;
    /*
     * The ring's final fields, copied so the per-packet path loads them from this object, not
     * through the ring (ByteRing's fields say what each one is).
     */
    private final MemorySegment buffer;
    private final MemorySegment view;
    private final MemorySegment positions;
    private final long capacity;
    private final long span;
    /**
     * How far into the buffer the tail must be for an early wrap; {@link ByteRing#NO_WRAP}: never.
     * Set by {@link ByteRing#earlyWrapFrom(long)} before either side is used.
     */
    long earlyWrapFrom;

    private long tail;        // committed (complete records), maybe not yet published
    private long tailIndex;   // index(tail)
    private long cursor;      // where the record being written goes next
    private long cursorIndex; // index(cursor)
    private long claimedEnd;  // cursor may not pass this
    private long cachedHead;
    private long peak;
    /** Claims may end up to this position: {@link #moveLimit()} sets it from the head and the state (first: the capacity). */
    private long limitEnd;
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

    ByteRingProducer(ByteRing ring, long earlyWrapFrom) {
        this.ring = ring;
        this.buffer = ring.buffer;
        this.view = ring.view;
        this.positions = ring.positions;
        this.capacity = ring.capacity;
        this.span = ring.span;
        this.earlyWrapFrom = earlyWrapFrom;
        this.limitEnd = capacity; // after capacity: a field initializer would run before it is set
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
     * page when the head is far enough behind ({@link ByteRing}'s class comment). What is unread then lies from
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
        cursorIndex = wrap(cursorIndex + (claimedEnd - cursor), capacity);
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
        cursorIndex = wrap(at + length, capacity);
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
            cursorIndex = wrap(at + 16, capacity);
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
            cursorIndex = wrap(at + 12, capacity);
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
            cursorIndex = wrap(at + 4, capacity);
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
            cursorIndex = wrap(cursorIndex + 1, capacity);
        }
        cursor += count;
    }

    private void putIntLittleEndianSlowly(int value) {
        for (int i = 0; i < 4; i++) {
            buffer.set(ValueLayout.JAVA_BYTE, cursorIndex, (byte) (value >>> (8 * i)));
            cursorIndex = wrap(cursorIndex + 1, capacity);
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
            LockSupport.unpark(ring.consumerThread);
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

    /**
     * {@link #publish()}, after marking the tail with {@code records}, the caller's running count of
     * the records before it ({@link ByteRingMarks}), for a consumer that counts what it writes.
     */
    public void publish(long records) {
        ring.marks.mark(tail, records);
        publish();
    }

    /** Publishes and declares the end of the stream. */
    public void finish() {
        publish();
        LONG.setRelease(positions, DONE_OFFSET, 1L);
        LockSupport.unpark(ring.consumerThread);
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
        cursorIndex = wrap(cursorIndex + length, capacity);
    }

    /**
     * For tests only (ByteRingJumpTest): where claims may end as of the last read of the head,
     * so a test can fill a run up to it without setting off a jump.
     */
    long limitEnd() {
        return limitEnd;
    }
}
