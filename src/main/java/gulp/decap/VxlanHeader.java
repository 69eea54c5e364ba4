package gulp.decap;

/**
 * VXLAN header (RFC 7348), with the VXLAN-GPE next-protocol byte (draft-ietf-nvo3-vxlan-gpe).
 * <pre>
 * +-+-+-+-+-+-+-+-+---------------+---------------+---------------+
 * |R|R|Ver|I|P|B|O|   Reserved    |   Reserved    | Next Protocol |
 * +-+-+-+-+-+-+-+-+---------------+---------------+---------------+
 * |          VXLAN Network Identifier (VNI)       |   Reserved    |
 * +-----------------------------------------------+---------------+
 * </pre>
 * I (0x08) must be set. With P (0x04, GPE) the next protocol says what follows:
 * 1 = IPv4, 2 = IPv6, 3 = Ethernet; 0 is read as Ethernet, like tcpdump and Wireshark do.
 */
public final class VxlanHeader {
    public static final int FLAGS_OFFSET = 0;
    public static final int NEXT_PROTOCOL_OFFSET = 3;
    public static final int VNI_OFFSET = 4;
    public static final int LENGTH = 8;

    public static final int FLAG_VNI_VALID = 0x08;
    public static final int FLAG_NEXT_PROTOCOL = 0x04;
    public static final int NEXT_PROTOCOL_NONE = 0;
    public static final int NEXT_PROTOCOL_IPV4 = 1;
    public static final int NEXT_PROTOCOL_IPV6 = 2;
    public static final int NEXT_PROTOCOL_ETHERNET = 3;

    private VxlanHeader() {}

    /** The 24-bit VNI from the 32-bit word at {@link #VNI_OFFSET}. */
    public static int vni(int word) { return word >>> 8; }

    /** The 32-bit word at {@link #VNI_OFFSET} of {@code vni} (reserved byte 0). */
    public static int vniWord(int vni) { return vni << 8; }
}
