package gulp.capture;

import gulp.filter.BpfProgram;
import gulp.filter.DirectionPrefix;
import gulp.filter.FilterException;
import gulp.linux.NativeException;
import gulp.linux.PacketSocket;

/**
 * How one live socket keeps only the directions captured ({@link Direction}): outgoing packets
 * dropped by the kernel with PACKET_IGNORE_OUTGOING, received ones by the direction check in front
 * of the socket filter ({@link DirectionPrefix}), and the packet types the block walker skips as a
 * backstop (an older kernel without PACKET_IGNORE_OUTGOING).
 */
final class SocketDirection {
    /** Packet types the walker skips (bit {@code 1 << sll_pkttype}). */
    final int skippedTypes;
    /** For the start-up line: "" when every packet is kept. */
    final String note;

    private SocketDirection(int skippedTypes, String note) {
        this.skippedTypes = skippedTypes;
        this.note = note;
    }

    /** Sets the socket up for {@code direction} on an interface that is loopback or not. */
    static SocketDirection apply(Direction direction, boolean loopback, PacketSocket socket) {
        int skipped = direction.skippedPacketTypes(loopback);
        String where = "";
        if (Direction.skipsOutgoing(skipped)) {
            try {
                socket.ignoreOutgoing();
                where = " in the kernel";
            } catch (NativeException e) {
                where = " in user space";
            }
        } else if (Direction.skipsIncoming(skipped)) {
            where = " in the kernel";
        }
        String note;
        if (direction == Direction.INOUT) {
            note = loopback ? ", each packet once (outgoing copies dropped" + where + ")" : "";
        } else {
            note = ", direction " + direction.name().toLowerCase() + " (other packets dropped" + where + ")";
        }
        return new SocketDirection(skipped, note);
    }

    /** True when a socket filter must be attached even without {@code -f} or {@code -s}: for the direction check. */
    boolean needsFilter() {
        return Direction.skipsIncoming(skippedTypes);
    }

    /** {@code program} as attached to the socket: behind the direction check when received packets are dropped. */
    BpfProgram onSocket(BpfProgram program) throws FilterException {
        return needsFilter() ? DirectionPrefix.onlyOutgoing(program) : program;
    }
}
