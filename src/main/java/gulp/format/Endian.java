package gulp.format;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The unaligned value layouts of both byte orders, one definition for every reader and writer of
 * wire bytes: network headers are big-endian; pcap is written little-endian and read in either.
 */
public final class Endian {
    public static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Two little-endian 32-bit words as one little-endian 64-bit store: {@code first} at the lower address. */
    public static long wordsLittleEndian(int first, int second) {
        return Integer.toUnsignedLong(first) | (long) second << 32;
    }

    private Endian() {
    }
}
