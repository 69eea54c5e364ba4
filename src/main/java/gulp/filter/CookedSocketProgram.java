package gulp.filter;

import gulp.decap.Sll2Header;

import static gulp.filter.Bpf.*;

/**
 * A filter compiled for Linux cooked v2 frames ({@code -i any}), made to run on the cooked
 * socket itself, as libpcap's {@code fix_program}/{@code fix_offset} do: the kernel runs a
 * SOCK_DGRAM socket's filter on the packet from its network header on, without the 20-byte
 * {@link Sll2Header} the reader builds later. So every packet load at or past the header moves 20
 * bytes back, and an absolute load of a header field becomes the Linux ancillary load of the same
 * fact:
 * <pre>
 *   [0]  protocol         → SKF_AD_PROTOCOL      [4]  interface index → SKF_AD_IFINDEX
 *   [8]  ARPHRD type      → SKF_AD_HATYPE        [10] packet type     → SKF_AD_PKTTYPE
 * </pre>
 * A load of any other header byte (the address) cannot move: the filter then runs in user space
 * on the frame with its header ({@link #forSocket} answers null).
 */
public final class CookedSocketProgram {
    static final int SKF_AD_PROTOCOL = 0, SKF_AD_IFINDEX = 8, SKF_AD_HATYPE = 28;

    private CookedSocketProgram() {}

    /** {@code program} for the cooked socket, or null when it loads a header byte the kernel cannot give. */
    public static BpfProgram forSocket(BpfProgram program) {
        int n = program.length();
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            int c = program.code(i);
            code[i] = c;
            jt[i] = program.jt(i);
            jf[i] = program.jf(i);
            k[i] = program.k(i);
            int cls = c & 0x07;
            int mode = c & 0xe0;
            boolean packetLoad = (cls == LD || cls == LDX) && (mode == ABS || mode == IND || mode == MSH);
            if (!packetLoad || Integer.compareUnsigned(k[i], SKF_LL_OFF) >= 0) {
                continue; // not a load from the packet, or already an ancillary / negative-offset load
            }
            if (Integer.compareUnsigned(k[i], Sll2Header.LENGTH) >= 0) {
                k[i] -= Sll2Header.LENGTH;
            } else if (mode != ABS) {
                return null;
            } else {
                int ancillary = switch (k[i]) {
                    case Sll2Header.PROTOCOL_OFFSET -> SKF_AD_PROTOCOL;
                    case Sll2Header.INTERFACE_INDEX_OFFSET -> SKF_AD_IFINDEX;
                    case Sll2Header.ARPHRD_TYPE_OFFSET -> SKF_AD_HATYPE;
                    case Sll2Header.PACKET_TYPE_OFFSET -> BpfInterpreter.SKF_AD_PKTTYPE;
                    default -> -1;
                };
                if (ancillary < 0) {
                    return null;
                }
                k[i] = SKF_AD_OFF + ancillary;
            }
        }
        return BpfProgram.of(code, jt, jf, k);
    }
}
