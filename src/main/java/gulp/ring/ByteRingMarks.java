package gulp.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where the producer published and how many records (a count its caller keeps) lay before each
 * place: a single-producer, single-consumer log of (position, count) marks beside a
 * {@link ByteRing}. A consumer that must count the records it writes jumps from mark to mark
 * instead of reading every record header again long after it was written (by then out of the
 * cache: at 64 B records the walk was most of the writer's time), and walks only what lies past
 * the last mark.
 *
 * <pre>
 * entries: long[2 * capacity], mark n in slots 2*(n mod capacity) (position) and +1 (count)
 *
 *   marks made:   |  read  |  unread (positions rising)  |  free  |
 *                 0     head (consumer)               tail (producer)
 * </pre>
 *
 * The producer writes an entry with plain stores, then moves the tail with a release store; the
 * consumer reads the tail with an acquire load, its entries, then moves its head with a release
 * store; the producer reads that head (acquire) at each mark. A mark made while the
 * log is full is dropped: marks carry running counts, so a dropped one costs the consumer only a
 * longer walk to the next. One mark per publish that moved the tail, so at most one per batch.
 */
public final class ByteRingMarks {
    /** Marks the log holds unread: each covers a batch (a kernel block, about 1 MiB at most). */
    static final int DEFAULT_CAPACITY = 1024;
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(ByteRingMarks.class, "tail", long.class);
            HEAD = lookup.findVarHandle(ByteRingMarks.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] entries;
    private final int capacity;
    /*
     * Each side reads its own counter with a plain load (no other thread writes it) and publishes
     * it with a release store; the other side reads it with an acquire load. They may share a
     * cache line: each is touched once a batch.
     */
    private long tail;            // marks made: the producer's
    private long lastPosition = -1;
    private long head;            // marks read: the consumer's
    private long passedCount;

    ByteRingMarks(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a mark log holds at least one mark");
        }
        this.capacity = capacity;
        this.entries = new long[2 * capacity];
    }

    /**
     * Producer: records that {@code count} records lay before {@code position} (a record boundary,
     * the tail being published). Nothing when the position did not move or the log is full.
     */
    void mark(long position, long count) {
        if (position <= lastPosition) {
            return;
        }
        // The consumer's head, read every time (once a batch): with a cached copy, the branch that
        // finds room after a reload is first taken in a capture's traffic (the JIT warm-up's log
        // is never read, so it stays full), and throws away the reader's compiled path once.
        if (tail - (long) HEAD.getAcquire(this) >= capacity) {
            return; // dropped: the next mark's count covers these records too
        }
        int slot = 2 * (int) (tail % capacity);
        entries[slot] = position;
        entries[slot + 1] = count;
        TAIL.setRelease(this, tail + 1);
        lastPosition = position;
    }

    /**
     * Consumer: reads the marks at or before {@code position} and returns the last of them, -1 if
     * there is none newer than those read before; {@link #passedCount()} is then its count.
     */
    public long passTo(long position) {
        long available = (long) TAIL.getAcquire(this);
        long read = head;
        long passed = -1;
        while (read < available) {
            int slot = 2 * (int) (read % capacity);
            long at = entries[slot];
            if (at > position) {
                break;
            }
            passed = at;
            passedCount = entries[slot + 1];
            read++;
        }
        if (read != head) {
            HEAD.setRelease(this, read);
        }
        return passed;
    }

    /** The count of the mark {@link #passTo} last returned. */
    public long passedCount() {
        return passedCount;
    }
}
