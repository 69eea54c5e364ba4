package gulp.decap;

/**
 * Linux cooked capture header, version 1 (LINKTYPE_LINUX_SLL = 113; {@code tcpdump -i any} before
 * libpcap 1.10), big-endian fields. The packet's network-layer header follows it.
 * <pre>
 *  0             2              4                  6                      14         16
 * +-------------+--------------+------------------+----------------------+----------+
 * | packet type | ARPHRD type  | address length   | address (8, padded)  | protocol |
 * +-------------+--------------+------------------+----------------------+----------+
 * </pre>
 * The protocol is an EtherType for IP; libpcap puts a VLAN tag the kernel removed back in as
 * protocol 0x8100 followed by the tag control and the next protocol, as in Ethernet.
 */
public final class SllHeader {
    public static final int LINKTYPE = 113;
    public static final int PACKET_TYPE_OFFSET = 0;
    public static final int ARPHRD_TYPE_OFFSET = 2;
    public static final int ADDRESS_LENGTH_OFFSET = 4;
    public static final int ADDRESS_OFFSET = 6;
    public static final int PROTOCOL_OFFSET = 14;
    public static final int LENGTH = 16;

    private SllHeader() {}
}
