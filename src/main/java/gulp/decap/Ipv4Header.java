package gulp.decap;

/**
 * IPv4 header (RFC 791).
 * <pre>
 *  0       4       8              16      19                      31
 * +-------+-------+---------------+-------------------------------+
 * |Version|  IHL  |     TOS       |         Total Length          |
 * +-------+-------+---------------+-----+-------------------------+
 * |        Identification         |Flags|     Fragment Offset     |
 * +---------------+---------------+-----+-------------------------+
 * |      TTL      |   Protocol    |        Header Checksum        |
 * +---------------+---------------+-------------------------------+
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                 Options (IHL > 5) ...                         |
 * </pre>
 * Total length 0 is what GSO / BIG TCP captures carry: the datagram runs to the end of the frame.
 */
public final class Ipv4Header {
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    /** The length of an IPv4 address. */
    public static final int ADDRESS_LENGTH = 4;
    public static final int MIN_LENGTH = 20;

    public static final int VERSION = 4;
    public static final int VERSION_SHIFT = 4;
    public static final int VERSION_MASK = 0xF;
    public static final int IHL_MASK = 0xF;
    /** The IHL counts 4-byte words (the options come in them). */
    public static final int WORD_LENGTH = 4;
    /** An option word of four NOPs (option type 1). */
    public static final int NOP_OPTIONS = 0x01010101;
    /** The byte at {@link #VERSION_IHL_OFFSET} of a header without options: version 4, IHL 5 (0x45). */
    public static final int VERSION_IHL_NO_OPTIONS = VERSION << VERSION_SHIFT | MIN_LENGTH / WORD_LENGTH;

    public static final int MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** Fragment offsets count 8-byte units. */
    public static final int FRAGMENT_UNIT = 8;

    /** ICMP (RFC 792), tcpdump's {@code icmp}; ICMPv6 is {@link Ipv6Header#ICMPV6}. */
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_GRE = 47;
    /** SCTP (RFC 9260): its ports sit where TCP's and UDP's do, in the first 4 bytes after the IP header. */
    public static final int PROTOCOL_SCTP = 132;

    /**
     * Whether a transport of this protocol number (IPv4's protocol, IPv6's next header) starts
     * with a source and a destination port: TCP, UDP and SCTP. Without a branch.
     */
    public static boolean hasPorts(int protocol) {
        return protocol == PROTOCOL_TCP | protocol == PROTOCOL_UDP | protocol == PROTOCOL_SCTP;
    }

    private Ipv4Header() {}

    /** The version from the byte at {@link #VERSION_IHL_OFFSET}. */
    public static int version(int versionIhl) { return (versionIhl >>> VERSION_SHIFT) & VERSION_MASK; }

    /** The header's length in bytes (options included) from the byte at {@link #VERSION_IHL_OFFSET}. */
    public static int headerLength(int versionIhl) { return (versionIhl & IHL_MASK) * WORD_LENGTH; }
}
