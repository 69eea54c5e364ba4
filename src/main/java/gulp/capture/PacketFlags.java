package gulp.capture;

import gulp.format.PcapngBlock;
import gulp.linux.SockaddrLl;
import gulp.linux.Tpacket3Hdr;

/**
 * The pcapng {@code epb_flags} of a live packet, from what the kernel says about it: its
 * {@code sll_pkttype} (sent by this host: outbound; to this host, broadcast, multicast, to another
 * host: inbound with that reception type) and the checksum bits of its {@code tp_status}.
 */
public final class PacketFlags {
    /** No packet type (not a live packet): no flags. */
    public static final int UNKNOWN_TYPE = -1;

    private static final int[] BY_PACKET_TYPE = new int[8];

    static {
        BY_PACKET_TYPE[SockaddrLl.PACKET_HOST] = inbound(PcapngBlock.RECEPTION_UNICAST);
        BY_PACKET_TYPE[SockaddrLl.PACKET_BROADCAST] = inbound(PcapngBlock.RECEPTION_BROADCAST);
        BY_PACKET_TYPE[SockaddrLl.PACKET_MULTICAST] = inbound(PcapngBlock.RECEPTION_MULTICAST);
        BY_PACKET_TYPE[SockaddrLl.PACKET_OTHERHOST] = inbound(PcapngBlock.RECEPTION_PROMISCUOUS);
        BY_PACKET_TYPE[SockaddrLl.PACKET_OUTGOING] = PcapngBlock.FLAG_OUTBOUND;
    }

    private PacketFlags() {
    }

    private static int inbound(int reception) {
        return PcapngBlock.FLAG_INBOUND | reception << PcapngBlock.FLAG_RECEPTION_SHIFT;
    }

    /** {@code epb_flags} of a decapsulated frame of {@link gulp.decap.DecapResult#direction()} {@code direction}. */
    public static int ofMirrorDirection(int direction) {
        return switch (direction) {
            case gulp.decap.DecapResult.DIRECTION_INGRESS -> PcapngBlock.FLAG_INBOUND;
            case gulp.decap.DecapResult.DIRECTION_EGRESS -> PcapngBlock.FLAG_OUTBOUND;
            default -> 0;
        };
    }

    /**
     * {@code epb_flags} of a packet kept: a live one's (a {@code packetType}) from the kernel, else
     * (packet type {@link #UNKNOWN_TYPE}) a decapsulated frame's from its mirror {@code direction}
     * ({@code DecapResult.DIRECTION_UNKNOWN}: none).
     */
    public static int of(int packetType, int tpStatus, int direction) {
        return packetType < 0 ? ofMirrorDirection(direction) : of(packetType, tpStatus);
    }

    /** {@code epb_flags} for a packet of {@code packetType} (or {@link #UNKNOWN_TYPE}) with {@code tpStatus}. */
    public static int of(int packetType, int tpStatus) {
        if (packetType < 0) {
            return 0;
        }
        int flags = BY_PACKET_TYPE[packetType & 7];
        if ((tpStatus & Tpacket3Hdr.TP_STATUS_CSUMNOTREADY) != 0) {
            flags |= PcapngBlock.FLAG_CHECKSUM_NOT_READY;
        }
        if ((tpStatus & Tpacket3Hdr.TP_STATUS_CSUM_VALID) != 0) {
            flags |= PcapngBlock.FLAG_CHECKSUM_VALID;
        }
        return flags;
    }
}
