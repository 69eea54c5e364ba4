package gulp.decap;

/**
 * Ethernet II header, optionally followed by 802.1Q / 802.1ad tags.
 * <pre>
 *  0                   6                  12      14
 * +-------------------+-------------------+-------+
 * | destination MAC   | source MAC        | type  |
 * +-------------------+-------------------+-------+
 * a VLAN tag (TPID in "type" position):  TPID(16) | PCP(3) DEI(1) VID(12) | next type(16)
 * </pre>
 */
public final class EthernetHeader {
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int ETHERTYPE_LENGTH = 2;
    public static final int LENGTH = 14;
    public static final int MAC_LENGTH = 6;
    /** The least frame (64 bytes on the wire, its 4-byte FCS not captured): a shorter one is padded to it. */
    public static final int MIN_FRAME_LENGTH = 60;
    /** A VLAN tag (TPID + tag control) adds 4 bytes before the next EtherType. */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Within a tag (which starts at the TPID): where the tag control (PCP, DEI, VID) sits. */
    public static final int VLAN_TAG_CONTROL_OFFSET = 2;
    /** Within a tag (which starts at the TPID): where the next EtherType sits. */
    public static final int VLAN_NEXT_TYPE_OFFSET = 4;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_IPV6 = 0x86DD;
    public static final int TYPE_ARP = 0x0806;
    /** Reverse ARP (RFC 903): ARP's layout ({@link ArpHeader}) under a type of its own. */
    public static final int TYPE_RARP = 0x8035;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88A8;
    /** Pre-standard QinQ TPID still sent by some switches. */
    public static final int TYPE_QINQ_LEGACY = 0x9100;
    public static final int TYPE_TRANSPARENT_ETHERNET = 0x6558;

    /** Tags read before giving up: real networks use 1-2; the bound keeps hostile frames cheap. */
    public static final int MAX_VLAN_TAGS = 8;

    private EthernetHeader() {}

    public static boolean isVlanTpid(int type) {
        return type == TYPE_VLAN || type == TYPE_QINQ || type == TYPE_QINQ_LEGACY;
    }
}
