package gulp.capture;

import java.util.Arrays;

/**
 * The interfaces described so far in the current pcapng section, kept as small as what a packet
 * needs from them: its timestamp resolution ({@code if_tsresol}) and offset ({@code if_tsoffset}).
 * The link type is the same for every interface (checked when one is described) and the snap
 * length matters only to simple packets, which belong to interface 0. So an interface costs one
 * byte, nine once some interface has a time offset, and a section holds at most
 * {@link #MAX_INTERFACES}: a stream of millions of interface blocks (libpcap reads them) is read
 * in bounded memory.
 */
final class PcapngInterfaces {
    /** More interfaces in one section are refused (one line, after the packets before them). */
    static final int MAX_INTERFACES = 1 << 24;
    /** if_tsresol when absent: microseconds. */
    static final int DEFAULT_TSRESOL = 6;
    private static final int INITIAL = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private byte[] resolutions = new byte[INITIAL];
    /** if_tsoffset in seconds per interface; null while every interface so far has none. */
    private long[] offsets;
    private int count;
    private int firstSnaplen;

    /** A new section: no interfaces. */
    void clear() {
        count = 0;
        offsets = null;
        if (resolutions.length > INITIAL) {
            resolutions = new byte[INITIAL];
        }
    }

    int count() {
        return count;
    }

    boolean isFull() {
        return count >= MAX_INTERFACES;
    }

    /** The snap length of interface 0 (0: none). */
    int firstSnaplen() {
        return firstSnaplen;
    }

    /** Adds the next interface; the caller checks {@link #isFull()} first. */
    void add(int tsresol, long offsetSeconds, int snaplen) {
        if (count == resolutions.length) {
            resolutions = Arrays.copyOf(resolutions, grown(count));
        }
        if (offsetSeconds != 0 && offsets == null) {
            offsets = new long[resolutions.length];
        }
        if (offsets != null && offsets.length < resolutions.length) {
            offsets = Arrays.copyOf(offsets, resolutions.length);
        }
        if (count == 0) {
            firstSnaplen = snaplen;
        }
        resolutions[count] = (byte) tsresol;
        if (offsets != null) {
            offsets[count] = offsetSeconds;
        }
        count++;
    }

    private static int grown(int length) {
        return (int) Math.min(MAX_INTERFACES, Math.max(INITIAL, 2L * length));
    }

    boolean isDescribed(int interfaceId) {
        return interfaceId >= 0 && interfaceId < count;
    }

    /** A packet timestamp of interface {@code interfaceId} (described) in nanoseconds since the epoch. */
    long timestampNanos(int interfaceId, long units) {
        long offset = offsets == null ? 0 : offsets[interfaceId];
        return unitsToNanos(units, resolutions[interfaceId] & 0xFF) + offset * NANOS_PER_SECOND;
    }

    /** Converts a count of if_tsresol units to nanoseconds. */
    static long unitsToNanos(long units, int tsresol) {
        int exponent = tsresol & 0x7F;
        if ((tsresol & 0x80) == 0) {
            if (exponent <= 9) {
                return units * POWERS_OF_TEN[9 - exponent];
            }
            return units / POWERS_OF_TEN[Math.min(exponent - 9, 18)];
        }
        if (exponent >= 63) {
            return 0;
        }
        long whole = units >>> exponent;
        long part = units & ((1L << exponent) - 1);
        long partNanos = exponent <= 32 ? (part * NANOS_PER_SECOND) >>> exponent
                : (long) ((double) part / (double) (1L << exponent) * NANOS_PER_SECOND);
        return whole * NANOS_PER_SECOND + partNanos;
    }
}
