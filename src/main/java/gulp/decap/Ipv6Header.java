package gulp.decap;

/**
 * IPv6 fixed header (RFC 8200) and the extension headers a decapsulator must walk.
 * <pre>
 *  0       4               12                                      31
 * +-------+---------------+----------------------------------------+
 * |Version| Traffic Class |              Flow Label                |
 * +-------+---------------+-------+---------------+----------------+
 * |        Payload Length         |  Next Header  |   Hop Limit    |
 * +-------------------------------+---------------+----------------+
 * |                 Source Address (16 bytes)                      |
 * |              Destination Address (16 bytes)                    |
 * +----------------------------------------------------------------+
 * hop-by-hop (0), routing (43), destination options (60):
 *   Next Header(8) | Hdr Ext Len(8, 8-byte units beyond the first 8) | ...
 * fragment (44), 8 bytes:
 *   Next Header(8) | Reserved(8) | Fragment Offset(13) Res(2) M(1) | Identification(32)
 * </pre>
 * Payload length 0 is a jumbogram or a GSO capture: the datagram runs to the end of the frame.
 */
public final class Ipv6Header {
    /** Version 6 in the top 4 bits of the first 32-bit word. */
    public static final int VERSION = 6;
    public static final int VERSION_SHIFT = 28;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int ADDRESS_LENGTH = 16;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;
    public static final int LENGTH = 40;

    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int DESTINATION_OPTIONS = 60;
    /** ICMPv6 (RFC 4443), tcpdump's {@code icmp6}: a next header that ends the chain, not an extension header. */
    public static final int ICMPV6 = 58;

    public static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    public static final int EXTENSION_LENGTH_UNIT = 8;

    public static final int FRAGMENT_HEADER_LENGTH = 8;
    public static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    public static final int FRAGMENT_IDENTIFICATION_OFFSET = 4;
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    public static final int MORE_FRAGMENTS = 0x0001;

    /** Extension headers walked before giving up (hostile chains stay cheap). */
    public static final int MAX_EXTENSION_HEADERS = 8;

    private Ipv6Header() {}
}
