package gulp.decap;

import gulp.decap.DecapCounters.Counter;

import java.lang.foreign.MemorySegment;

import static gulp.decap.Bytes.u32;
import static gulp.decap.Bytes.u32Unsigned;
import static gulp.format.Timestamps.NANOS_PER_SECOND;

/**
 * ERSPAN type III's hardware timestamp as epoch nanoseconds ({@code --erspan-time}): the 32-bit
 * stamp of the header ({@link ErspanHeader}) in its granularity, its wrap resolved against the
 * packet's arrival time; IEEE 1588 seconds from the platform sub-header when it carries them.
 */
final class ErspanTime {
    private static final long ERSPAN_100_MICROS = 100_000L;
    private static final long ERSPAN_100_NANOS = 100L;

    private ErspanTime() {
    }

    /**
     * The hardware time of the ERSPAN III header at {@code header} (its word 2 {@code word2}), or
     * {@code arrival}, counted as {@link Counter#HARDWARE_TIME_UNUSABLE}, when it has none usable.
     */
    static long of(MemorySegment seg, long header, int word2, boolean subHeader, long arrival, DecapCounters counters) {
        long stamp = u32Unsigned(seg, header + ErspanHeader.TYPE_III_TIMESTAMP_OFFSET);
        switch (ErspanHeader.granularity(word2)) {
            case ErspanHeader.GRANULARITY_100_MICROS -> { return nearestWrap(arrival, ERSPAN_100_MICROS, stamp); }
            case ErspanHeader.GRANULARITY_100_NANOS -> { return nearestWrap(arrival, ERSPAN_100_NANOS, stamp); }
            case ErspanHeader.GRANULARITY_IEEE_1588 -> {
                if (stamp >= NANOS_PER_SECOND) {
                    break;
                }
                if (subHeader) {
                    int platform = (u32(seg, header + ErspanHeader.SUB_HEADER_WORD0_OFFSET)
                            >>> ErspanHeader.PLATFORM_ID_SHIFT) & ErspanHeader.PLATFORM_ID_MASK;
                    if (ErspanHeader.subHeaderCarriesSeconds(platform)) {
                        long seconds = u32Unsigned(seg, header + ErspanHeader.SUB_HEADER_WORD1_OFFSET);
                        return seconds * NANOS_PER_SECOND + stamp;
                    }
                }
                // Nanoseconds only: take the second that puts the stamp nearest the arrival time.
                long second = Math.floorDiv(arrival, NANOS_PER_SECOND) * NANOS_PER_SECOND;
                long best = second + stamp;
                if (Math.abs(best - NANOS_PER_SECOND - arrival) < Math.abs(best - arrival)) {
                    best -= NANOS_PER_SECOND;
                } else if (Math.abs(best + NANOS_PER_SECOND - arrival) < Math.abs(best - arrival)) {
                    best += NANOS_PER_SECOND;
                }
                return best;
            }
            default -> { }
        }
        counters.increment(Counter.HARDWARE_TIME_UNUSABLE);
        return arrival;
    }

    /** The time {@code units * unit} whose low 32 bits of units are {@code stamp}, nearest to {@code arrival}. */
    static long nearestWrap(long arrival, long unit, long stamp) {
        long arrivalUnits = Math.floorDiv(arrival, unit);
        long candidate = (arrivalUnits & ~0xFFFF_FFFFL) | stamp;
        long difference = candidate - arrivalUnits;
        if (difference > 0x8000_0000L) {
            candidate -= 0x1_0000_0000L;
        } else if (difference < -0x8000_0000L) {
            candidate += 0x1_0000_0000L;
        }
        return candidate * unit;
    }
}
