package gulp.decap;

/**
 * GRE header (RFC 2784, key and sequence from RFC 2890).
 * <pre>
 *  0 1 2 3 4           12    15 16                             31
 * +-+-+-+-+-------------+-----+--------------------------------+
 * |C|R|K|S| reserved0   | Ver |        Protocol Type           |
 * +-+-+-+-+-------------+-----+--------------------------------+
 * |  Checksum (if C or R)     |  Reserved1 / offset (if C or R) |
 * |                    Key (if K)                               |
 * |               Sequence Number (if S)                        |
 * +-------------------------------------------------------------+
 * </pre>
 * Length = 4 + 4C + 4K + 4S. Version must be 0 (1 is PPTP's enhanced GRE); the routing bit
 * (RFC 1701 source routing) is refused, like Linux's gre_parse_header does.
 */
public final class GreHeader {
    public static final int FLAGS_VERSION_OFFSET = 0;
    public static final int PROTOCOL_OFFSET = 2;
    /** The checksum and reserved1 word, if C (or R) is set. */
    public static final int CHECKSUM_OFFSET = 4;
    public static final int BASE_LENGTH = 4;
    public static final int OPTIONAL_FIELD_LENGTH = 4;

    public static final int FLAG_CHECKSUM = 0x8000;
    public static final int FLAG_ROUTING = 0x4000;
    public static final int FLAG_KEY = 0x2000;
    public static final int FLAG_SEQUENCE = 0x1000;
    public static final int VERSION_MASK = 0x0007;

    public static final int PROTOCOL_ERSPAN_I_II = 0x88BE;
    public static final int PROTOCOL_ERSPAN_III = 0x22EB;
    public static final int PROTOCOL_TRANSPARENT_ETHERNET = 0x6558;

    private GreHeader() {}

    /** Header length implied by the flags (only meaningful once version and routing are checked). */
    public static int length(int flagsVersion) {
        int length = BASE_LENGTH;
        if ((flagsVersion & FLAG_CHECKSUM) != 0) length += OPTIONAL_FIELD_LENGTH;
        if ((flagsVersion & FLAG_KEY) != 0) length += OPTIONAL_FIELD_LENGTH;
        if ((flagsVersion & FLAG_SEQUENCE) != 0) length += OPTIONAL_FIELD_LENGTH;
        return length;
    }

    /** Offset of the key field from the start of the GRE header (only if K is set). */
    public static int keyOffset(int flagsVersion) {
        return BASE_LENGTH + ((flagsVersion & FLAG_CHECKSUM) != 0 ? OPTIONAL_FIELD_LENGTH : 0);
    }

    /** Offset of the sequence field from the start of the GRE header (only if S is set). */
    public static int sequenceOffset(int flagsVersion) {
        return keyOffset(flagsVersion) + ((flagsVersion & FLAG_KEY) != 0 ? OPTIONAL_FIELD_LENGTH : 0);
    }
}
