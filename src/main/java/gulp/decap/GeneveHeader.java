package gulp.decap;

/**
 * Geneve header (RFC 8926).
 * <pre>
 * +---+-----------+-+-+-----------+-------------------------------+
 * |Ver| Opt Len   |O|C|   Rsvd    |        Protocol Type          |
 * +---+-----------+-+-+-----------+---------------+---------------+
 * |     Virtual Network Identifier (VNI)          |   Reserved    |
 * +-----------------------------------------------+---------------+
 * |           Variable-length options (Opt Len x 4 bytes)         |
 * </pre>
 * Header length = 8 + 4 * Opt Len; the options are skipped by that length.
 */
public final class GeneveHeader {
    public static final int VERSION_OPTION_LENGTH_OFFSET = 0;
    /** O, C and the reserved bits. */
    public static final int FLAGS_OFFSET = 1;
    public static final int PROTOCOL_OFFSET = 2;
    public static final int VNI_OFFSET = 4;
    public static final int BASE_LENGTH = 8;

    public static final int VERSION_SHIFT = 6;
    public static final int OPTION_LENGTH_MASK = 0x3F;
    public static final int OPTION_LENGTH_UNIT = 4;

    private GeneveHeader() {}

    public static int version(int firstByte) { return firstByte >>> VERSION_SHIFT; }

    public static int length(int firstByte) {
        return BASE_LENGTH + (firstByte & OPTION_LENGTH_MASK) * OPTION_LENGTH_UNIT;
    }

    /** The 24-bit VNI from the 32-bit word at {@link #VNI_OFFSET}. */
    public static int vni(int word) { return word >>> 8; }

    /** The 32-bit word at {@link #VNI_OFFSET} of {@code vni} (reserved byte 0). */
    public static int vniWord(int vni) { return vni << 8; }
}
