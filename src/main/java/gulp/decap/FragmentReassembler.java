package gulp.decap;

import gulp.decap.DecapCounters.Counter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reassembles fragmented outer IPv4 / IPv6 datagrams (their payload: the GRE or UDP header onwards).
 * <p>
 * Bounded: {@value #SLOTS} datagrams in flight, each at most {@value #MAX_PAYLOAD} bytes, all
 * preallocated; a datagram still incomplete {@code timeoutNanos} of packet time after its first
 * fragment is given up. Overlapping fragments (including exact duplicates, as RFC 5722 demands for
 * IPv6), and fragments that contradict the datagram's length, drop the whole datagram.
 * Not thread safe; no allocation per fragment.
 */
final class FragmentReassembler {
    static final int SLOTS = 64;
    static final int MAX_PAYLOAD = 65535;
    static final long DEFAULT_TIMEOUT_NANOS = 2_000_000_000L;

    /** Outcomes of {@link #offer}. */
    static final int HELD = 0;
    static final int COMPLETE = 1;
    static final int DROPPED = 2;

    private static final int SLOT_BYTES = 65536;
    private static final int BLOCK = 8;
    private static final int BITMAP_LONGS = SLOT_BYTES / BLOCK / 64;

    private final long timeoutNanos;
    private final DecapCounters counters;
    private final MemorySegment buffer;

    private final boolean[] inUse = new boolean[SLOTS];
    private final int[] ipVersion = new int[SLOTS];
    private final long[] sourceHigh = new long[SLOTS];
    private final long[] sourceLow = new long[SLOTS];
    private final long[] destinationHigh = new long[SLOTS];
    private final long[] destinationLow = new long[SLOTS];
    private final int[] identification = new int[SLOTS];
    private final int[] keyProtocol = new int[SLOTS];
    private final int[] payloadProtocol = new int[SLOTS];
    private final long[] firstSeenNanos = new long[SLOTS];
    private final int[] totalLength = new int[SLOTS];
    private final int[] highestEnd = new int[SLOTS];
    private final int[] receivedBytes = new int[SLOTS];
    private final long[] blocks = new long[SLOTS * BITMAP_LONGS];
    private int inFlight;

    // Set by a COMPLETE or DROPPED outcome.
    private long completedOffset;
    private int completedLength;
    private int completedProtocol;
    private Counter dropReason;

    FragmentReassembler(DecapCounters counters, long timeoutNanos) {
        this.counters = counters;
        this.timeoutNanos = timeoutNanos;
        this.buffer = Arena.ofAuto().allocate((long) SLOTS * SLOT_BYTES, 64);
    }

    MemorySegment buffer() { return buffer; }

    long completedOffset() { return completedOffset; }

    int completedLength() { return completedLength; }

    int completedProtocol() { return completedProtocol; }

    Counter dropReason() { return dropReason; }

    int inFlight() { return inFlight; }

    /** Payload bytes held for incomplete datagrams: what they may add to a later batch's output. */
    long heldBytes() {
        if (inFlight == 0) return 0;
        long held = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (inUse[slot]) held += receivedBytes[slot];
        }
        return held;
    }

    /**
     * Adds one fragment (read here once; the caller may refill {@code f} at once). Returns {@link #HELD},
     * {@link #COMPLETE} (payload at {@link #completedOffset()} in {@link #buffer()}) or {@link #DROPPED}
     * ({@link #dropReason()}).
     */
    int offer(Fragment f, long nowNanos) {
        int version = f.version;
        long srcHigh = f.sourceHigh;
        long srcLow = f.sourceLow;
        long dstHigh = f.destinationHigh;
        long dstLow = f.destinationLow;
        int id = f.identification;
        int keyProtocol = f.keyProtocol;
        int protocol = f.protocol;
        int fragmentOffset = f.offset;
        boolean more = f.more;
        int payloadLength = f.payloadLength;
        expire(nowNanos);
        int slot = find(version, srcHigh, srcLow, dstHigh, dstLow, id, keyProtocol);
        if (slot < 0) slot = allocate(version, srcHigh, srcLow, dstHigh, dstLow, id, keyProtocol, nowNanos);

        int end = fragmentOffset + payloadLength;
        if (end > MAX_PAYLOAD) return drop(slot, Counter.FRAGMENT_TOO_LARGE);
        if (payloadLength == 0 || (more && payloadLength % BLOCK != 0)) return drop(slot, Counter.FRAGMENT_INCONSISTENT);
        int known = totalLength[slot];
        if (!more) {
            if ((known >= 0 && known != end) || highestEnd[slot] > end) return drop(slot, Counter.FRAGMENT_INCONSISTENT);
            totalLength[slot] = end;
        } else if (known >= 0 && end > known) {
            return drop(slot, Counter.FRAGMENT_INCONSISTENT);
        }
        if (overlaps(slot, fragmentOffset, end)) return drop(slot, Counter.FRAGMENT_INCONSISTENT);

        MemorySegment.copy(f.segment, f.payloadAt, buffer, (long) slot * SLOT_BYTES + fragmentOffset, payloadLength);
        mark(slot, fragmentOffset, end);
        receivedBytes[slot] += payloadLength;
        if (end > highestEnd[slot]) highestEnd[slot] = end;
        if (fragmentOffset == 0) payloadProtocol[slot] = protocol;

        if (totalLength[slot] >= 0 && receivedBytes[slot] == totalLength[slot]) {
            completedOffset = (long) slot * SLOT_BYTES;
            completedLength = totalLength[slot];
            completedProtocol = payloadProtocol[slot];
            release(slot);
            return COMPLETE;
        }
        return HELD;
    }

    /** Counts the datagrams still incomplete (end of the run) and forgets them. */
    void giveUpAll() {
        for (int s = 0; s < SLOTS; s++) {
            if (inUse[s]) {
                counters.increment(Counter.FRAGMENT_GIVEN_UP_AT_END);
                release(s);
            }
        }
    }

    private void expire(long nowNanos) {
        if (inFlight == 0) return;
        for (int s = 0; s < SLOTS; s++) {
            if (inUse[s] && nowNanos - firstSeenNanos[s] > timeoutNanos) {
                counters.increment(Counter.FRAGMENT_GIVEN_UP_TIMEOUT);
                release(s);
            }
        }
    }

    private int find(int version, long srcHigh, long srcLow, long dstHigh, long dstLow, int id, int protocol) {
        if (inFlight == 0) return -1;
        for (int s = 0; s < SLOTS; s++) {
            if (inUse[s] && identification[s] == id && sourceLow[s] == srcLow && destinationLow[s] == dstLow
                    && sourceHigh[s] == srcHigh && destinationHigh[s] == dstHigh
                    && ipVersion[s] == version && keyProtocol[s] == protocol) {
                return s;
            }
        }
        return -1;
    }

    private int allocate(int version, long srcHigh, long srcLow, long dstHigh, long dstLow, int id, int protocol, long nowNanos) {
        int slot = -1;
        int oldest = 0;
        for (int s = 0; s < SLOTS; s++) {
            if (!inUse[s]) { slot = s; break; }
            if (firstSeenNanos[s] < firstSeenNanos[oldest]) oldest = s;
        }
        if (slot < 0) {
            counters.increment(Counter.FRAGMENT_GIVEN_UP_TABLE_FULL);
            release(oldest);
            slot = oldest;
        }
        inUse[slot] = true;
        inFlight++;
        ipVersion[slot] = version;
        sourceHigh[slot] = srcHigh;
        sourceLow[slot] = srcLow;
        destinationHigh[slot] = dstHigh;
        destinationLow[slot] = dstLow;
        identification[slot] = id;
        keyProtocol[slot] = protocol;
        payloadProtocol[slot] = -1;
        firstSeenNanos[slot] = nowNanos;
        totalLength[slot] = -1;
        highestEnd[slot] = 0;
        receivedBytes[slot] = 0;
        Arrays.fill(blocks, slot * BITMAP_LONGS, (slot + 1) * BITMAP_LONGS, 0L);
        return slot;
    }

    private int drop(int slot, Counter reason) {
        dropReason = reason;
        release(slot);
        return DROPPED;
    }

    private void release(int slot) {
        if (inUse[slot]) {
            inUse[slot] = false;
            inFlight--;
        }
    }

    private boolean overlaps(int slot, int start, int end) {
        int base = slot * BITMAP_LONGS;
        for (int b = start / BLOCK, last = (end - 1) / BLOCK; b <= last; b++) {
            if ((blocks[base + (b >>> 6)] & (1L << b)) != 0) return true;
        }
        return false;
    }

    private void mark(int slot, int start, int end) {
        int base = slot * BITMAP_LONGS;
        for (int b = start / BLOCK, last = (end - 1) / BLOCK; b <= last; b++) blocks[base + (b >>> 6)] |= 1L << b;
    }
}
