package gulp.format;

/**
 * Packet timestamps: gulp carries them as nanoseconds since the epoch (a {@code long}, enough
 * until 2262); capture files store seconds and a fraction (classic pcap: micro- or nanoseconds)
 * or a count of units of an interface's resolution (pcapng {@code if_tsresol}).
 */
public final class Timestamps {
    public static final long NANOS_PER_SECOND = 1_000_000_000L;
    public static final long NANOS_PER_MICROSECOND = 1_000L;
    /** {@code if_tsresol} of microseconds (pcapng's default) and of nanoseconds. */
    public static final int TSRESOL_MICROSECONDS = 6;
    public static final int TSRESOL_NANOSECONDS = 9;

    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    private Timestamps() {
    }

    /** Seconds and a fraction of a second (nanoseconds, or microseconds if not {@code nanosecond}). */
    public static long ofFraction(long seconds, long fraction, boolean nanosecond) {
        return seconds * NANOS_PER_SECOND + (nanosecond ? fraction : fraction * NANOS_PER_MICROSECOND);
    }

    /** The whole seconds of {@code nanos} (rounded down, also before 1970). */
    public static long seconds(long nanos) {
        return Math.floorDiv(nanos, NANOS_PER_SECOND);
    }

    /** The fraction of a second of {@code nanos}: nanoseconds, or whole microseconds if not {@code nanosecond}. */
    public static long fraction(long nanos, boolean nanosecond) {
        long fraction = Math.floorMod(nanos, NANOS_PER_SECOND);
        return nanosecond ? fraction : fraction / NANOS_PER_MICROSECOND;
    }

    /**
     * A count of {@code if_tsresol} units in nanoseconds: MSB clear, units of 10^-n seconds (finer
     * than nanoseconds truncates); MSB set, units of 2^-n seconds (as libpcap converts them).
     */
    public static long ofUnits(long units, int tsresol) {
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
