package gulp.filter;

import java.util.List;

/**
 * Classic BPF opcode fields (linux/filter.h, pcap/bpf.h). An opcode is class | size | mode
 * for loads, class | op | source for ALU and jumps.
 */
public final class Bpf {
    private Bpf() {}

    // classes (low 3 bits)
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    // load sizes
    public static final int W = 0x00, H = 0x08, B = 0x10;
    // load modes
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    // ALU ops
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
            LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    // jump ops
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    // sources
    public static final int K = 0x00, X = 0x08;
    // RET sources
    public static final int RET_A = 0x10;
    // MISC ops
    public static final int TAX = 0x00, TXA = 0x80;

    /** BPF_MAXINSNS, the kernel's limit on program length. */
    public static final int MAX_INSNS = 4096;
    /** BPF_MEMWORDS: scratch memory M[0..15]. */
    public static final int MEMWORDS = 16;
    /** SKF_LL_OFF (-0x200000) as unsigned: loads at or above it are Linux ancillary/negative-offset loads. */
    public static final int SKF_LL_OFF = 0xffe00000;
    /** SKF_NET_OFF (-0x100000). */
    public static final int SKF_NET_OFF = 0xfff00000;
    /** SKF_AD_OFF (-0x1000): ancillary data (protocol, vlan tag, ...). */
    public static final int SKF_AD_OFF = 0xfffff000;

    public static int cls(int code) { return code & 0x07; }
    public static int size(int code) { return code & 0x18; }
    public static int mode(int code) { return code & 0xe0; }
    public static int op(int code) { return code & 0xf0; }
    public static int src(int code) { return code & 0x08; }

    public static boolean isConditionalJump(int code) { return cls(code) == JMP && op(code) != JA; }

    /** Every opcode the Linux kernel accepts in a classic socket filter (bpf_check_classic). */
    public static final List<Integer> KNOWN_OPCODES = List.of(
            ALU | ADD | K, ALU | ADD | X, ALU | SUB | K, ALU | SUB | X, ALU | MUL | K, ALU | MUL | X,
            ALU | DIV | K, ALU | DIV | X, ALU | MOD | K, ALU | MOD | X, ALU | AND | K, ALU | AND | X,
            ALU | OR | K, ALU | OR | X, ALU | XOR | K, ALU | XOR | X, ALU | LSH | K, ALU | LSH | X,
            ALU | RSH | K, ALU | RSH | X, ALU | NEG,
            LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | LEN, LD | W | IND, LD | H | IND, LD | B | IND,
            LD | IMM, LD | MEM, LDX | W | LEN, LDX | B | MSH, LDX | IMM, LDX | MEM,
            ST, STX, MISC | TAX, MISC | TXA, RET | K, RET | RET_A,
            JMP | JA, JMP | JEQ | K, JMP | JEQ | X, JMP | JGE | K, JMP | JGE | X,
            JMP | JGT | K, JMP | JGT | X, JMP | JSET | K, JMP | JSET | X);

    public static boolean isKnownOpcode(int code) {
        return KNOWN_OPCODES.contains(code);
    }

    /** Instructions that read packet bytes at k (plus X for IND). */
    public static boolean isPacketLoad(int code) {
        return code == (LD | W | ABS) || code == (LD | H | ABS) || code == (LD | B | ABS)
                || code == (LD | W | IND) || code == (LD | H | IND) || code == (LD | B | IND)
                || code == (LDX | B | MSH);
    }
}
