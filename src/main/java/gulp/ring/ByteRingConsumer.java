package gulp.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

import static gulp.ring.ByteRing.INT_LE;
import static gulp.ring.ByteRing.LONG;
import static gulp.ring.ByteRing.NO_WRAP;
import static gulp.ring.ByteRing.wrap;
import static gulp.ring.ByteRingDescriptor.HEAD_OFFSET;
import static gulp.ring.ByteRingDescriptor.TAIL_OFFSET;
import static gulp.ring.ByteRingDescriptor.WANTED_TAIL_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_INDEX_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_POSITION_OFFSET;
import static gulp.ring.ByteRingDescriptor.WRAP_SLOT_LENGTH;

/**
 * The consumer side of a {@link ByteRing} (the writer thread); use from exactly one thread. It
 * reads the published tail with an acquire load ({@link #refresh()}), learns of the producer's
 * early wraps and jumps from the control block's wrap slots ({@code learnWrap}), gives
 * slices that stop at them, and releases the head with a release store ({@link #release(long)}),
 * passing the wraps as it goes ({@code passWrap}). The design is in the {@link ByteRing} class comment.
 */
public final class ByteRingConsumer {
    private static final ValueLayout.OfLong LONG_LE_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The ring, for the thread to wake ({@link ByteRing#consumerThread}) and {@link ByteRing#producerDone()}. */
    private final ByteRing ring;
    /*
     * The ring's final fields, copied so the per-batch paths load them from this object, not
     * through the ring (ByteRing's fields say what each one is).
     */
    private final MemorySegment buffer;
    private final MemorySegment view;
    private final MemorySegment positions;
    private final long capacity;
    private final long span;

    private long head;
    private long headIndex; // index(head)
    private long cachedTail;
    /** index(p) = (p + shift) mod capacity for the positions before {@link #wrapAt}. */
    private long shift;
    /** The position of an early wrap (or jump) not passed yet, or {@link ByteRing#NO_WRAP}; its records lie from {@link #wrapIndex} on. */
    private long wrapAt = NO_WRAP;
    private long wrapIndex;
    /** A jump after it (at most two are ahead of the consumer), or {@link ByteRing#NO_WRAP}. */
    private long nextWrapAt = NO_WRAP;
    private long nextWrapIndex;
    /** The last wrap position read from the control block (positions only grow: 0, none yet). */
    private long lastWrap;
    /** How many wraps were read: the next one is in slot {@code learned & 1}. */
    private long learned;

    ByteRingConsumer(ByteRing ring) {
        this.ring = ring;
        this.buffer = ring.buffer;
        this.view = ring.view;
        this.positions = ring.positions;
        this.capacity = ring.capacity;
        this.span = ring.span;
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
        headIndex = wrap(wrapIndex + (head - wrapAt), capacity);
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
        ring.consumerThread = Thread.currentThread();
        long wanted = head + minReadable;
        LONG.setVolatile(positions, WANTED_TAIL_OFFSET, wanted);
        if ((long) LONG.getVolatile(positions, TAIL_OFFSET) < wanted && !ring.producerDone()) {
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
            headIndex = wrap(headIndex + length, capacity);
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
        return ahead >= 0 && ahead < capacity ? wrap(headIndex + ahead, capacity) : index(position);
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
