package gulp.decap;

/**
 * ARP packet (RFC 826), and RARP's (RFC 903), which has the same layout: the fixed part, then
 * the sender's and the target's addresses, whose lengths the fixed part gives. The offsets of
 * the addresses are those of IPv4 over Ethernet (hardware length 6, protocol length 4), the one
 * form libpcap's {@code arp host} and {@code rarp host} read.
 * <pre>
 *  0               2               4       5       6               8
 * +---------------+---------------+-------+-------+---------------+
 * | hardware type | protocol type | h.len | p.len |   operation   |
 * +---------------+---------------+-------+-------+---------------+
 *  8                       14              18                      24              28
 * +-----------------------+---------------+-----------------------+---------------+
 * | sender MAC            | sender IPv4   | target MAC            | target IPv4   |
 * +-----------------------+---------------+-----------------------+---------------+
 * </pre>
 */
public final class ArpHeader {
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    public static final int OPERATION_OFFSET = 6;
    /** IPv4 over Ethernet: where the sender's MAC and IPv4 address and the target's sit. */
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IPV4_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IPV4_OFFSET = 24;
    /** The length of an IPv4 over Ethernet ARP packet: a shorter one has no target address. */
    public static final int ETHERNET_IPV4_LENGTH = 28;
    /** The hardware type of Ethernet. */
    public static final int HARDWARE_ETHERNET = 1;
    /** The operation of a request (2: a reply). */
    public static final int OPERATION_REQUEST = 1;

    private ArpHeader() {}
}
