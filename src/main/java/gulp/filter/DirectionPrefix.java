package gulp.filter;

import gulp.linux.SockaddrLl;

import static gulp.filter.Bpf.*;

/**
 * Puts a packet-direction check in front of a kernel socket filter, for {@code -Q out}: the Linux
 * ancillary load of the packet type (the load libpcap generates for {@code outbound}) keeps only
 * packets this host sent, before the program runs.
 * <pre>
 *   0: ldh [SKF_AD_OFF + SKF_AD_PKTTYPE]
 *   1: jeq #PACKET_OUTGOING  jt 3  jf 2
 *   2: ret #0
 *   3: the program, unchanged (its jumps are relative)
 * </pre>
 * Only the kernel runs it: user space sees only packets that passed it.
 */
public final class DirectionPrefix {
    /** Instructions the prefix adds. */
    public static final int LENGTH = 3;

    private DirectionPrefix() {}

    /** {@code program}, run only for outgoing packets; every received packet gets 0 (dropped). */
    public static BpfProgram onlyOutgoing(BpfProgram program) throws FilterException {
        int n = program.length() + LENGTH;
        if (n > MAX_INSNS) {
            throw new FilterException("the filter is too long to add the direction check in the kernel ("
                    + n + " > " + MAX_INSNS + " instructions)");
        }
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        code[0] = LD | H | ABS;
        k[0] = SKF_AD_OFF + BpfInterpreter.SKF_AD_PKTTYPE;
        code[1] = JMP | JEQ | K;
        k[1] = SockaddrLl.PACKET_OUTGOING;
        jt[1] = 1;
        code[2] = RET | K;
        for (int i = 0; i < program.length(); i++) {
            code[i + LENGTH] = program.code(i);
            jt[i + LENGTH] = program.jt(i);
            jf[i + LENGTH] = program.jf(i);
            k[i + LENGTH] = program.k(i);
        }
        BpfProgram prefixed = BpfProgram.of(code, jt, jf, k);
        prefixed.validate();
        return prefixed;
    }
}
