package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_ll} (20 bytes): a link-layer address for bind(2) on AF_PACKET sockets,
 * and the per-packet address the kernel writes into a TPACKET_V3 ring right after each
 * {@code tpacket3_hdr} (at {@link Tpacket3Hdr#SOCKADDR_LL_OFFSET}).
 * <pre>
 *  0           2                    4            8             10            11         12        20
 *  | family    | protocol (BE u16)  | ifindex    | hatype u16  | pkttype u8  | halen u8 | addr[8] |
 * </pre>
 * {@code sll_pkttype} is the packet's direction and kind (linux/if_packet.h): to this host,
 * broadcast, multicast, to another host, or sent by this host ({@link #PACKET_OUTGOING}).
 */
public final class SockaddrLl {
    public static final int FAMILY_OFFSET = 0;
    public static final int PROTOCOL_OFFSET = 2;
    public static final int IFINDEX_OFFSET = 4;
    public static final int HATYPE_OFFSET = 8;
    public static final int PKTTYPE_OFFSET = 10;
    public static final int HALEN_OFFSET = 11;
    public static final int ADDR_OFFSET = 12;
    public static final int SIZE = 20;

    /** sll_pkttype values (linux/if_packet.h). */
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"), JAVA_SHORT.withName("sll_protocol"), JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"), JAVA_BYTE.withName("sll_pkttype"), JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr")).withName("sockaddr_ll");

    static {
        LayoutCheck.offset(LAYOUT, "sll_family", FAMILY_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_protocol", PROTOCOL_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_ifindex", IFINDEX_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_hatype", HATYPE_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_pkttype", PKTTYPE_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_halen", HALEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "sll_addr", ADDR_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private SockaddrLl() {
    }

    /** An address that selects {@code ifindex} and EtherType {@code protocol} (in bind, 0 keeps the socket's current one). */
    public static MemorySegment allocate(Arena arena, int ifindex, int protocol) {
        MemorySegment address = arena.allocate(SIZE, 4);
        address.set(JAVA_SHORT, FAMILY_OFFSET, (short) Libc.AF_PACKET);
        address.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), PROTOCOL_OFFSET, (short) protocol);
        address.set(JAVA_INT, IFINDEX_OFFSET, ifindex);
        return address;
    }
}
