package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct tpacket3_hdr} (48 bytes): the header before each packet inside a TPACKET_V3 block.
 * Host byte order.
 * <pre>
 *  0                4        8         12           16       20          24       26       28
 *  | tp_next_offset | tp_sec | tp_nsec | tp_snaplen | tp_len | tp_status | tp_mac | tp_net |
 *  28          32            36                38    40              48
 *  | tp_rxhash | tp_vlan_tci | tp_vlan_tpid u16| pad | tp_padding[8] |
 * </pre>
 * The frame starts {@code tp_mac} bytes after this header's start; {@code tp_snaplen} bytes of it
 * are in the ring, {@code tp_len} was its length on the wire. tp_sec/tp_nsec are unsigned.
 * <p>Right after the header, at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) = 48, the kernel writes
 * the packet's {@code struct sockaddr_ll} ({@link SockaddrLl}): interface, hardware type, packet
 * type (the direction) and source address.
 * <pre>
 *  0                 48                              58            59         68     tp_mac
 *  | tpacket3_hdr    | sockaddr_ll: family .. hatype | sll_pkttype | halen .. | pad  | frame ...
 * </pre>
 */
public final class Tpacket3Hdr {
    public static final int NEXT_OFFSET_OFFSET = 0;
    public static final int SEC_OFFSET = 4;
    public static final int NSEC_OFFSET = 8;
    public static final int SNAPLEN_OFFSET = 12;
    public static final int LEN_OFFSET = 16;
    public static final int STATUS_OFFSET = 20;
    public static final int MAC_OFFSET = 24;
    public static final int NET_OFFSET = 26;
    public static final int RXHASH_OFFSET = 28;
    public static final int VLAN_TCI_OFFSET = 32;
    public static final int VLAN_TPID_OFFSET = 36;
    public static final int SIZE = 48;
    /** The packet's sockaddr_ll follows the header, 16-byte aligned (TPACKET_ALIGN). */
    public static final int SOCKADDR_LL_OFFSET = 48;
    /** sll_pkttype of the packet, from the start of its tpacket3_hdr. */
    public static final int PKTTYPE_OFFSET = SOCKADDR_LL_OFFSET + SockaddrLl.PKTTYPE_OFFSET;

    /** The packet's checksum is not computed yet (outgoing, or offloaded: CHECKSUM_PARTIAL). */
    public static final int TP_STATUS_CSUMNOTREADY = 0x8;
    public static final int TP_STATUS_VLAN_VALID = 0x10;
    /** The device or the kernel checked the packet's checksum (CHECKSUM_UNNECESSARY). */
    public static final int TP_STATUS_CSUM_VALID = 0x80;
    public static final int TP_STATUS_VLAN_TPID_VALID = 0x40;
    /** The TPID to assume when the kernel gives a TCI but no TPID. */
    public static final int ETH_P_8021Q = 0x8100;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            MemoryLayout.unionLayout(MemoryLayout.structLayout(
                    JAVA_INT.withName("tp_rxhash"),
                    JAVA_INT.withName("tp_vlan_tci"),
                    JAVA_SHORT.withName("tp_vlan_tpid"),
                    MemoryLayout.paddingLayout(2)).withName("hv1")).withName("hv1_union"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding")).withName("tpacket3_hdr");

    static {
        LayoutCheck.offset(LAYOUT, "tp_next_offset", NEXT_OFFSET_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_sec", SEC_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_nsec", NSEC_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_snaplen", SNAPLEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_len", LEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_status", STATUS_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_mac", MAC_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_net", NET_OFFSET);
        long hv1 = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("hv1_union"));
        StructLayout inner = (StructLayout) ((java.lang.foreign.UnionLayout) LAYOUT.select(
                MemoryLayout.PathElement.groupElement("hv1_union"))).memberLayouts().get(0);
        if (hv1 + inner.byteOffset(MemoryLayout.PathElement.groupElement("tp_rxhash")) != RXHASH_OFFSET
                || hv1 + inner.byteOffset(MemoryLayout.PathElement.groupElement("tp_vlan_tci")) != VLAN_TCI_OFFSET
                || hv1 + inner.byteOffset(MemoryLayout.PathElement.groupElement("tp_vlan_tpid")) != VLAN_TPID_OFFSET) {
            throw new IllegalStateException("tpacket3_hdr.hv1 offsets disagree with the constants");
        }
        LayoutCheck.size(LAYOUT, SIZE);
        if (SOCKADDR_LL_OFFSET != (SIZE + 15 & ~15)) {
            throw new IllegalStateException("the sockaddr_ll does not follow tpacket3_hdr at TPACKET_ALIGN(48)");
        }
    }

    private Tpacket3Hdr() {
    }

    public static void verify() {
    }
}
