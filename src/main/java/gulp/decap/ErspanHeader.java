package gulp.decap;

/**
 * Cisco ERSPAN headers that follow the GRE header.
 * <pre>
 * Type I   (GRE 0x88BE, no GRE sequence number): no ERSPAN header, the Ethernet frame follows.
 *
 * Type II  (GRE 0x88BE with S bit), 8 bytes, version 1:
 *  0      4             16    19 21 22         31
 * +------+-------------+-----+--+-+------------+
 * | Ver  |    VLAN     | COS |En|T| Session ID |   word 0
 * +------+-------------+-----+--+-+------------+
 * |      Reserved (12)     |     Index (20)     |   word 1
 * +------------------------+--------------------+
 *
 * Type III (GRE 0x22EB), 12 bytes, version 2:
 * +------+-------------+-----+---+-+------------+
 * | Ver  |    VLAN     | COS |BSO|T| Session ID |   word 0
 * +------+-------------+-----+---+-+------------+
 * |                 Timestamp (32)              |   word 1
 * +-----------------+-+-----+------+-+---+-----+
 * |    SGT (16)     |P| FT  | HwID |D|Gra|O    |   word 2
 * +-----------------+-+-----+------+-+---+-----+
 * optional platform sub-header (O = 1), 8 bytes:
 * | Platf ID (6) | platform info (26)            |
 * | platform info (32), e.g. upper timestamp/seconds |
 * </pre>
 * FT 0 = Ethernet frame, FT 2 = IP packet (no layer-2 header). Gra: 0 = 100 us units,
 * 1 = 100 ns units, 2 = IEEE 1588 (low word nanoseconds, sub-header word seconds), 3 = custom.
 * D (type III only): the direction at the mirrored port, 0 = ingress (the frame came into the
 * port), 1 = egress (it left through it); Linux {@code include/net/erspan.h} {@code dir},
 * {@code ERSPAN_DIR} (0x0008 of word 2's low half), Wireshark {@code erspan.direction}.
 */
public final class ErspanHeader {
    public static final int WORD0_OFFSET = 0;
    public static final int VERSION_SHIFT = 28;
    public static final int VERSION_MASK = 0xF;
    public static final int VLAN_SHIFT = 16;
    public static final int SESSION_MASK = 0x3FF;
    public static final int VERSION_TYPE_II = 1;
    public static final int VERSION_TYPE_III = 2;

    public static final int TYPE_II_LENGTH = 8;
    /** Type II word 1: reserved (12 bits), then the index (20). */
    public static final int TYPE_II_INDEX_OFFSET = 4;
    public static final int TYPE_III_LENGTH = 12;
    public static final int TYPE_III_TIMESTAMP_OFFSET = 4;
    public static final int TYPE_III_WORD2_OFFSET = 8;
    public static final int SUB_HEADER_LENGTH = 8;
    public static final int SUB_HEADER_WORD0_OFFSET = TYPE_III_LENGTH;
    public static final int SUB_HEADER_WORD1_OFFSET = TYPE_III_LENGTH + 4;

    public static final int FRAME_TYPE_SHIFT = 10;
    public static final int FRAME_TYPE_MASK = 0x1F;
    public static final int FRAME_TYPE_ETHERNET = 0;
    public static final int FRAME_TYPE_IP = 2;
    public static final int GRANULARITY_SHIFT = 1;
    public static final int GRANULARITY_MASK = 0x3;
    public static final int GRANULARITY_100_MICROS = 0;
    public static final int GRANULARITY_100_NANOS = 1;
    public static final int GRANULARITY_IEEE_1588 = 2;
    public static final int OPTIONAL_SUB_HEADER = 0x1;
    public static final int DIRECTION_EGRESS = 0x0008;
    public static final int PLATFORM_ID_SHIFT = 26;
    public static final int PLATFORM_ID_MASK = 0x3F;

    private ErspanHeader() {}

    public static int version(int word0) { return (word0 >>> VERSION_SHIFT) & VERSION_MASK; }

    /** Word 0 of {@code version} with {@code vlan} and {@code session} (COS, En/BSO and T 0). */
    public static int word0(int version, int vlan, int session) {
        return (version << VERSION_SHIFT) | (vlan << VLAN_SHIFT) | session;
    }

    public static int sessionId(int word0) { return word0 & SESSION_MASK; }

    public static int frameType(int word2) { return (word2 >>> FRAME_TYPE_SHIFT) & FRAME_TYPE_MASK; }

    public static int granularity(int word2) { return (word2 >>> GRANULARITY_SHIFT) & GRANULARITY_MASK; }

    public static boolean hasSubHeader(int word2) { return (word2 & OPTIONAL_SUB_HEADER) != 0; }

    /** Type III: the mirrored frame left the mirrored port (D = 1); false: it came in (D = 0). */
    public static boolean egress(int word2) { return (word2 & DIRECTION_EGRESS) != 0; }

    /** Platform IDs 3, 5, 6 and 7 carry the seconds (upper timestamp) in the second sub-header word. */
    public static boolean subHeaderCarriesSeconds(int platformId) {
        return platformId == 3 || platformId == 5 || platformId == 6 || platformId == 7;
    }
}
