package gulp.decap;

import gulp.format.LinkType;

/**
 * The link layers {@code -d} reads the outer packet from, by the input's link type: where the
 * protocol (EtherType) sits and where the network layer starts, or, for raw IP, which IP version.
 * The inner frame comes out as Ethernet whatever the outer link layer.
 * <pre>
 *  Ethernet (1)        dst(6) src(6) | type(2) | [tags] IP ...         type at 12, IP at 14
 *  Linux SLL (113)     SllHeader (14) | protocol(2) | [tags] IP ...    protocol at 14, IP at 16
 *  Linux SLL2 (276)    protocol(2) | rest of Sll2Header (18) | [tags] IP  protocol at 0, IP at 20
 *  raw IP (101)        IP ...                                           version from the first nibble
 *  IPv4 (228), IPv6 (229)  IP ...                                       version from the link type
 * </pre>
 */
public enum OuterLink {
    ETHERNET(LinkType.ETHERNET, EthernetHeader.ETHERTYPE_OFFSET, EthernetHeader.LENGTH, Constants.NOT_RAW),
    LINUX_SLL(SllHeader.LINKTYPE, SllHeader.PROTOCOL_OFFSET, SllHeader.LENGTH, Constants.NOT_RAW),
    LINUX_SLL2(Sll2Header.LINKTYPE, Sll2Header.PROTOCOL_OFFSET, Sll2Header.LENGTH, Constants.NOT_RAW),
    RAW_IP(LinkType.RAW, 0, 0, Constants.VERSION_FROM_PACKET),
    RAW_IPV4(228, 0, 0, 4),
    RAW_IPV6(229, 0, 0, 6);

    /** The one line for {@code -d} on any other link type. */
    public static final String SUPPORTED = "Ethernet (1), Linux cooked SLL (113) and SLL2 (276), raw IP (101, 228, 229)";

    public final int linkType;
    /** Offset of the big-endian EtherType (the first, if tagged); unused for raw IP. */
    public final int protocolOffset;
    /** Offset of the network layer (or of the first tag's control field); 0 for raw IP. */
    public final int headerLength;
    /** {@link Constants#NOT_RAW}, {@link Constants#VERSION_FROM_PACKET}, 4 or 6. */
    public final int rawIpVersion;

    OuterLink(int linkType, int protocolOffset, int headerLength, int rawIpVersion) {
        this.linkType = linkType;
        this.protocolOffset = protocolOffset;
        this.headerLength = headerLength;
        this.rawIpVersion = rawIpVersion;
    }

    /** The layout for a capture's link type field, or null when {@code -d} cannot read it. */
    public static OuterLink of(int linkTypeField) {
        int type = LinkType.of(linkTypeField); // the low 26 bits, as libpcap's LT_LINKTYPE
        for (OuterLink link : values()) {
            if (link.linkType == type) return link;
        }
        return null;
    }

    public boolean isRawIp() {
        return rawIpVersion != Constants.NOT_RAW;
    }

    /** Values of {@link #rawIpVersion} besides 4 and 6 (constants an enum's constructor calls can use). */
    static final class Constants {
        static final int NOT_RAW = -1;
        static final int VERSION_FROM_PACKET = 0;

        private Constants() {}
    }
}
