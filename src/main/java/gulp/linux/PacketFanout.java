package gulp.linux;

/**
 * The {@code int} given to {@code setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &value, 4)}
 * ({@code linux/if_packet.h}; {@code fanout_add} in {@code net/packet/af_packet.c}): the socket
 * joins the fanout group {@code id} of its interface, creating it if it is the first; every
 * packet the interface receives then goes to exactly one member, chosen by {@code mode}. The
 * socket must be bound first (the kernel refuses an unbound one with EINVAL), and a member can
 * no longer be rebound (EINVAL), nor leave the group but by closing.
 * <pre>
 *  31                              16 15                               0
 * +-----------------------------------+----------------------------------+
 * | mode (bits 0-7) | flags (8-15)    | group id                         |
 * +-----------------------------------+----------------------------------+
 * </pre>
 * Every member of a group must give the same mode and flags (else EINVAL). Groups are per
 * network namespace and per interface.
 */
public final class PacketFanout {
    public static final int ID_MASK = 0xFFFF;
    public static final int MODE_SHIFT = 16;

    /** PACKET_FANOUT_HASH: by the flow hash (addresses, ports), so a flow stays on one socket. */
    public static final int HASH = 0;
    /** PACKET_FANOUT_LB: round robin. */
    public static final int LB = 1;
    /** PACKET_FANOUT_CPU: by the CPU that received the packet. */
    public static final int CPU = 2;
    /** PACKET_FANOUT_ROLLOVER: the first socket until its ring is full, then the next. */
    public static final int ROLLOVER = 3;
    /** PACKET_FANOUT_QM: by the packet's receive queue (skb_get_queue_mapping). */
    public static final int QM = 5;

    /** PACKET_FANOUT_FLAG_ROLLOVER: a packet whose chosen socket's ring is full goes to another one. */
    public static final int FLAG_ROLLOVER = 0x1000;
    /** PACKET_FANOUT_FLAG_DEFRAG: IP fragments are reassembled first, so they hash as their flow. */
    public static final int FLAG_DEFRAG = 0x8000;

    private PacketFanout() {
    }

    /** The setsockopt value for group {@code id} (0..65535), {@code mode} and {@code flags}. */
    public static int value(int id, int mode, int flags) {
        if ((id & ~ID_MASK) != 0) {
            throw new IllegalArgumentException("fanout group id " + id + " is not 0..65535");
        }
        return id | ((mode | flags) << MODE_SHIFT);
    }
}
