package gulp.filter;

import gulp.decap.DecapConfig;
import gulp.decap.ErspanHeader;
import gulp.decap.EthernetHeader;
import gulp.decap.GeneveHeader;
import gulp.decap.GreHeader;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.UdpHeader;
import gulp.decap.VxlanHeader;

import java.util.ArrayList;
import java.util.List;

/**
 * One fixed-length encapsulation the kernel can recognise with byte comparisons: the outer
 * frame matches when every {@link ByteCheck} holds (and, if asked, the outer IPv4 total length
 * covers exactly the rest of the frame); the inner Ethernet frame then starts at
 * {@code innerOffset}. Offsets assume an untagged outer Ethernet frame: on a live capture the
 * kernel removes one outer VLAN tag before socket filters run.
 *
 * @param name                      shown on the start-up line
 * @param checks                    outer byte checks, all of which must hold
 * @param innerOffset               where the inner Ethernet frame starts
 * @param ipv4TotalLengthFillsFrame also require IPv4 total length == frame length - 14 (no
 *                                  Ethernet trailer, no truncation), so that "inner frame = rest
 *                                  of the packet" is exactly what a decapsulator would take
 * @param outerUdpDestinationPort   the UDP port this shape is carried on, or 0 when not UDP
 */
public record EncapShape(String name, List<ByteCheck> checks, int innerOffset,
                         boolean ipv4TotalLengthFillsFrame, int outerUdpDestinationPort) {

    /** {@code (packet[offset, offset+size) as big-endian unsigned) & mask == value}; size is 1, 2 or 4. */
    public record ByteCheck(int offset, int size, int mask, int value) {
        public ByteCheck {
            if (size != 1 && size != 2 && size != 4) throw new IllegalArgumentException("size must be 1, 2 or 4");
            if (offset < 0) throw new IllegalArgumentException("negative offset");
            long full = fullMask(size);
            if ((mask & ~full) != 0 || (value & ~mask) != 0) {
                throw new IllegalArgumentException("mask/value do not fit " + size + " bytes, or value has bits outside mask");
            }
        }

        public static ByteCheck eq(int offset, int size, int value) { return new ByteCheck(offset, size, (int) fullMask(size), value); }

        static long fullMask(int size) { return size == 4 ? 0xffffffffL : (1L << (8 * size)) - 1; }

        public int end() { return offset + size; }
    }

    public EncapShape {
        checks = List.copyOf(checks);
        if (innerOffset < 0) throw new IllegalArgumentException("negative inner offset");
    }

    /** Bytes the packet needs before any check or the inner frame's start can be read. */
    public int minimumLength() {
        int min = innerOffset;
        for (ByteCheck c : checks) min = Math.max(min, c.end());
        return min;
    }

    // Outer headers: Ethernet 0..13, IPv4 14..33 (IHL 5), then GRE at 34 or UDP at 34..41.
    public static final int IPV4_VERSION_IHL_OFFSET = EthernetHeader.LENGTH + Ipv4Header.VERSION_IHL_OFFSET;
    public static final int IPV4_FLAGS_FRAGMENT_OFFSET = EthernetHeader.LENGTH + Ipv4Header.FLAGS_FRAGMENT_OFFSET;
    public static final int IPV4_PROTOCOL_OFFSET = EthernetHeader.LENGTH + Ipv4Header.PROTOCOL_OFFSET;
    /** Where GRE or UDP starts: after Ethernet and an IPv4 header without options. */
    private static final int TRANSPORT_OFFSET = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;
    private static final int GRE_FLAGS_OFFSET = TRANSPORT_OFFSET + GreHeader.FLAGS_VERSION_OFFSET;
    private static final int GRE_PROTOCOL_OFFSET = TRANSPORT_OFFSET + GreHeader.PROTOCOL_OFFSET;
    private static final int UDP_DESTINATION_PORT_OFFSET = TRANSPORT_OFFSET + UdpHeader.DESTINATION_PORT_OFFSET;
    /** After a GRE header with only S set. */
    private static final int GRE_SEQUENCED_PAYLOAD_OFFSET = TRANSPORT_OFFSET + GreHeader.length(GreHeader.FLAG_SEQUENCE);
    private static final int UDP_PAYLOAD_OFFSET = TRANSPORT_OFFSET + UdpHeader.LENGTH;
    // For InnerFilterProgram's own checks: the outer IPv4 total length, and an outer IPv6 header
    // (40 bytes, no extension headers) in the same untagged frame.
    static final int IPV4_TOTAL_LENGTH_OFFSET = EthernetHeader.LENGTH + Ipv4Header.TOTAL_LENGTH_OFFSET;
    static final int IPV6_NEXT_HEADER_OFFSET = EthernetHeader.LENGTH + Ipv6Header.NEXT_HEADER_OFFSET;
    static final int IPV6_UDP_DESTINATION_PORT_OFFSET = EthernetHeader.LENGTH + Ipv6Header.LENGTH
            + UdpHeader.DESTINATION_PORT_OFFSET;
    /** ERSPAN's version in the first byte of its word 0 (the top nibble). */
    private static final int ERSPAN_VERSION_BYTE_SHIFT = ErspanHeader.VERSION_SHIFT - 3 * Byte.SIZE;

    private static List<ByteCheck> ipv4(int protocol) {
        List<ByteCheck> list = new ArrayList<>();
        list.add(ByteCheck.eq(EthernetHeader.ETHERTYPE_OFFSET, 2, EthernetHeader.TYPE_IPV4));
        list.add(ByteCheck.eq(IPV4_VERSION_IHL_OFFSET, 1, Ipv4Header.VERSION_IHL_NO_OPTIONS));
        list.add(new ByteCheck(IPV4_FLAGS_FRAGMENT_OFFSET, 2, Ipv4Header.MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK, 0)); // MF clear, fragment offset 0
        list.add(ByteCheck.eq(IPV4_PROTOCOL_OFFSET, 1, protocol));
        return list;
    }

    private static List<ByteCheck> gre(int flagsVersion, int protocol) {
        List<ByteCheck> list = ipv4(Ipv4Header.PROTOCOL_GRE);
        list.add(ByteCheck.eq(GRE_FLAGS_OFFSET, 2, flagsVersion));
        list.add(ByteCheck.eq(GRE_PROTOCOL_OFFSET, 2, protocol));
        return list;
    }

    /** The ERSPAN header after a GRE header with only S set is of {@code version}. */
    private static ByteCheck erspanVersion(int version) {
        return new ByteCheck(GRE_SEQUENCED_PAYLOAD_OFFSET + ErspanHeader.WORD0_OFFSET, 1,
                ErspanHeader.VERSION_MASK << ERSPAN_VERSION_BYTE_SHIFT, version << ERSPAN_VERSION_BYTE_SHIFT);
    }

    /** ERSPAN type II: GRE S bit only, proto 0x88BE, ERSPAN version 1; inner frame at 50. */
    public static EncapShape erspanII() {
        List<ByteCheck> checks = gre(GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_I_II);
        checks.add(erspanVersion(ErspanHeader.VERSION_TYPE_II));
        return new EncapShape("ERSPAN-II", checks, GRE_SEQUENCED_PAYLOAD_OFFSET + ErspanHeader.TYPE_II_LENGTH, true, 0);
    }

    /** ERSPAN type III without platform sub-header: proto 0x22EB, version 2, frame type Ethernet, O bit 0; inner at 54. */
    public static EncapShape erspanIII() {
        List<ByteCheck> checks = gre(GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_III);
        checks.add(erspanVersion(ErspanHeader.VERSION_TYPE_III));
        checks.add(new ByteCheck(GRE_SEQUENCED_PAYLOAD_OFFSET + ErspanHeader.TYPE_III_WORD2_OFFSET + Short.BYTES, 2, // word2 low half
                ErspanHeader.FRAME_TYPE_MASK << ErspanHeader.FRAME_TYPE_SHIFT | ErspanHeader.OPTIONAL_SUB_HEADER,
                ErspanHeader.FRAME_TYPE_ETHERNET << ErspanHeader.FRAME_TYPE_SHIFT)); // FT=0, O=0
        return new EncapShape("ERSPAN-III", checks, GRE_SEQUENCED_PAYLOAD_OFFSET + ErspanHeader.TYPE_III_LENGTH, true, 0);
    }

    /** ERSPAN type I: GRE flags all zero, proto 0x88BE, no ERSPAN header; inner at 38. */
    public static EncapShape erspanI() {
        return new EncapShape("ERSPAN-I", gre(0, GreHeader.PROTOCOL_ERSPAN_I_II), TRANSPORT_OFFSET + GreHeader.BASE_LENGTH, true, 0);
    }

    /** GRE transparent Ethernet bridging (0x6558) with no checksum, key or sequence; inner at 38. */
    public static EncapShape greTeb() {
        return new EncapShape("GRE-TEB", gre(0, GreHeader.PROTOCOL_TRANSPARENT_ETHERNET),
                TRANSPORT_OFFSET + GreHeader.BASE_LENGTH, true, 0);
    }

    /** GRE transparent Ethernet bridging with a key only (e.g. NVGRE); inner at 42. */
    public static EncapShape greTebWithKey() {
        return new EncapShape("GRE-TEB-key", gre(GreHeader.FLAG_KEY, GreHeader.PROTOCOL_TRANSPARENT_ETHERNET),
                TRANSPORT_OFFSET + GreHeader.length(GreHeader.FLAG_KEY), true, 0);
    }

    /** VXLAN over IPv4 UDP to {@code port}, I flag set; inner at 50. */
    public static EncapShape vxlan(int port) {
        List<ByteCheck> checks = ipv4(Ipv4Header.PROTOCOL_UDP);
        checks.add(ByteCheck.eq(UDP_DESTINATION_PORT_OFFSET, 2, port));
        checks.add(new ByteCheck(UDP_PAYLOAD_OFFSET + VxlanHeader.FLAGS_OFFSET, 1, VxlanHeader.FLAG_VNI_VALID, VxlanHeader.FLAG_VNI_VALID));
        return new EncapShape(port == DecapConfig.DEFAULT_VXLAN_PORT ? "VXLAN" : "VXLAN/" + port, checks,
                UDP_PAYLOAD_OFFSET + VxlanHeader.LENGTH, true, port);
    }

    /** Geneve over IPv4 UDP 6081, version 0, no options, protocol 0x6558 (Ethernet); inner at 50. */
    public static EncapShape geneve() {
        return geneve(DecapConfig.DEFAULT_GENEVE_PORT);
    }

    /** Geneve on another UDP port. */
    public static EncapShape geneve(int port) {
        List<ByteCheck> checks = ipv4(Ipv4Header.PROTOCOL_UDP);
        checks.add(ByteCheck.eq(UDP_DESTINATION_PORT_OFFSET, 2, port));
        checks.add(ByteCheck.eq(UDP_PAYLOAD_OFFSET + GeneveHeader.VERSION_OPTION_LENGTH_OFFSET, 1, 0)); // version 0, option length 0
        checks.add(ByteCheck.eq(UDP_PAYLOAD_OFFSET + GeneveHeader.PROTOCOL_OFFSET, 2, EthernetHeader.TYPE_TRANSPARENT_ETHERNET));
        return new EncapShape(port == DecapConfig.DEFAULT_GENEVE_PORT ? "Geneve" : "Geneve/" + port, checks,
                UDP_PAYLOAD_OFFSET + GeneveHeader.BASE_LENGTH, true, port);
    }

    /** The standard set, VXLAN on {@code vxlanPorts} (4789 if none given). */
    public static List<EncapShape> standard(int... vxlanPorts) {
        List<EncapShape> shapes = new ArrayList<>(List.of(erspanII(), erspanIII(), erspanI(), greTeb(), greTebWithKey()));
        if (vxlanPorts.length == 0) vxlanPorts = new int[]{DecapConfig.DEFAULT_VXLAN_PORT};
        for (int port : vxlanPorts) shapes.add(vxlan(port));
        shapes.add(geneve());
        return List.copyOf(shapes);
    }
}
