package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct packet_mreq} (16 bytes), for PACKET_ADD_MEMBERSHIP. With PACKET_MR_PROMISC the
 * interface is promiscuous for as long as the socket is open (the kernel counts users, so closing
 * the socket, even by a crash, undoes it).
 * <pre>
 *  0          4         6          8           16
 *  | ifindex  | type    | alen     | address[8] |
 * </pre>
 */
public final class PacketMreq {
    public static final int IFINDEX_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int ALEN_OFFSET = 6;
    public static final int ADDRESS_OFFSET = 8;
    public static final int SIZE = 16;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mr_ifindex"), JAVA_SHORT.withName("mr_type"), JAVA_SHORT.withName("mr_alen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address")).withName("packet_mreq");

    static {
        LayoutCheck.offset(LAYOUT, "mr_ifindex", IFINDEX_OFFSET);
        LayoutCheck.offset(LAYOUT, "mr_type", TYPE_OFFSET);
        LayoutCheck.offset(LAYOUT, "mr_alen", ALEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "mr_address", ADDRESS_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private PacketMreq() {
    }

    public static MemorySegment promiscuous(Arena arena, int ifindex) {
        MemorySegment mreq = arena.allocate(SIZE, 4);
        mreq.set(JAVA_INT, IFINDEX_OFFSET, ifindex);
        mreq.set(JAVA_SHORT, TYPE_OFFSET, (short) Libc.PACKET_MR_PROMISC);
        return mreq;
    }
}
