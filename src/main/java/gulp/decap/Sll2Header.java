package gulp.decap;

/**
 * Linux cooked capture header, version 2 (LINKTYPE_LINUX_SLL2 = 276; {@code tcpdump -i any}
 * since libpcap 1.10), big-endian fields. The packet's network-layer header follows it.
 * <pre>
 *  0          2          4                  8              10            11               12                   20
 * +----------+----------+------------------+--------------+-------------+----------------+--------------------+
 * | protocol | reserved | interface index  | ARPHRD type  | packet type | address length | address (8, padded)|
 * +----------+----------+------------------+--------------+-------------+----------------+--------------------+
 * </pre>
 * The protocol is an EtherType for IP; 0x8100 (a tag the kernel did not remove) means the data
 * starts with the tag control and the next protocol, as in Ethernet.
 */
public final class Sll2Header {
    public static final int LINKTYPE = 276;
    public static final int PROTOCOL_OFFSET = 0;
    public static final int RESERVED_OFFSET = 2;
    public static final int INTERFACE_INDEX_OFFSET = 4;
    public static final int ARPHRD_TYPE_OFFSET = 8;
    public static final int PACKET_TYPE_OFFSET = 10;
    public static final int ADDRESS_LENGTH_OFFSET = 11;
    public static final int ADDRESS_OFFSET = 12;
    public static final int LENGTH = 20;

    private Sll2Header() {}
}
