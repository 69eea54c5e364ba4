package gulp.capture;

import gulp.linux.SockaddrLl;

/**
 * Which packets of a live capture to keep by direction ({@code -Q in|out|inout}, as tcpdump):
 * the kernel's packet type says whether this host sent a packet ({@code PACKET_OUTGOING}) or
 * received it (any other type). On the loopback device every packet is seen twice, once going out
 * and once coming in; like libpcap, gulp never keeps the outgoing copy there.
 */
public enum Direction {
    IN, OUT, INOUT;

    /** {@code -Q} / {@code --direction} values: in, out, inout. */
    public static Direction parse(String text) {
        return switch (text) {
            case "in" -> IN;
            case "out" -> OUT;
            case "inout" -> INOUT;
            default -> throw new IllegalArgumentException("-Q takes in, out or inout, not '" + text + "'");
        };
    }

    /**
     * The packet types to skip, as a bit mask (bit {@code 1 << sll_pkttype}): outgoing packets for
     * {@code in} and on loopback (libpcap's linux_check_direction), every other type for {@code out}.
     */
    public int skippedPacketTypes(boolean loopback) {
        int outgoing = 1 << SockaddrLl.PACKET_OUTGOING;
        int mask = this == IN || loopback ? outgoing : 0;
        return this == OUT ? mask | ~outgoing : mask;
    }

    /** True when the mask skips outgoing packets. */
    public static boolean skipsOutgoing(int skippedTypes) {
        return (skippedTypes & 1 << SockaddrLl.PACKET_OUTGOING) != 0;
    }

    /** True when the mask skips received packets (every type but outgoing). */
    public static boolean skipsIncoming(int skippedTypes) {
        return (skippedTypes & 1 << SockaddrLl.PACKET_HOST) != 0;
    }
}
