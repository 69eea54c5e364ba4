package gulp.filter;

import gulp.linux.BpfLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static gulp.filter.Bpf.*;

/**
 * An immutable classic BPF program, held as parallel columns (code, jt, jf, k) exactly as in
 * {@code struct sock_filter}. jt/jf are unsigned bytes, k is an unsigned 32-bit value held in an int.
 */
public final class BpfProgram {
    private static final Pattern DD_LINE = Pattern.compile(
            "\\{\\s*0x([0-9a-fA-F]+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*0x([0-9a-fA-F]+)\\s*}");

    private final int[] code, jt, jf, k;

    private BpfProgram(int[] code, int[] jt, int[] jf, int[] k) {
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
    }

    /** A program from columns (copied). code must fit 16 bits and jt/jf 8 bits. */
    public static BpfProgram of(int[] code, int[] jt, int[] jf, int[] k) {
        int n = code.length;
        if (jt.length != n || jf.length != n || k.length != n) {
            throw new IllegalArgumentException("columns differ in length");
        }
        for (int i = 0; i < n; i++) {
            if ((code[i] & ~0xffff) != 0 || (jt[i] & ~0xff) != 0 || (jf[i] & ~0xff) != 0) {
                throw new IllegalArgumentException("instruction " + i + " does not fit struct sock_filter");
            }
        }
        return new BpfProgram(code.clone(), jt.clone(), jf.clone(), k.clone());
    }

    /** Parses {@code tcpdump -dd} output: one {@code { 0x28, 0, 0, 0x0000000c },} per instruction. */
    public static BpfProgram parse(String tcpdumpDdText) throws FilterException {
        List<int[]> insns = new ArrayList<>();
        for (String line : tcpdumpDdText.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) continue;
            Matcher m = DD_LINE.matcher(trimmed);
            if (!m.lookingAt()) {
                throw new FilterException("not a tcpdump -dd instruction: '" + trimmed + "'");
            }
            long c = field(m.group(1), 16), t = field(m.group(2), 10), f = field(m.group(3), 10), kk = field(m.group(4), 16);
            if (c < 0 || c > 0xffff || t < 0 || t > 0xff || f < 0 || f > 0xff || kk < 0 || kk > 0xffffffffL) {
                throw new FilterException("instruction out of range: '" + trimmed + "'");
            }
            insns.add(new int[]{(int) c, (int) t, (int) f, (int) kk});
        }
        int n = insns.size();
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            int[] insn = insns.get(i);
            code[i] = insn[0];
            jt[i] = insn[1];
            jf[i] = insn[2];
            k[i] = insn[3];
        }
        return new BpfProgram(code, jt, jf, k);
    }

    /** A field's digits as a number; -1 (out of range) when they do not even fit a long. */
    private static long field(String digits, int radix) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException tooLong) {
            return -1;
        }
    }

    public int length() { return code.length; }
    public int code(int i) { return code[i]; }
    public int jt(int i) { return jt[i]; }
    public int jf(int i) { return jf[i]; }
    public int k(int i) { return k[i]; }

    int[] codes() { return code; }
    int[] jts() { return jt; }
    int[] jfs() { return jf; }
    int[] ks() { return k; }

    /**
     * Checks the rules the Linux kernel applies when a classic filter is attached
     * (bpf_check_classic + check_load_and_stores): length 1..4096, known opcodes, no division
     * or modulo by constant 0, shifts by constants below 32, scratch index below 16, jumps in
     * range (forward by construction), last instruction RET, and no scratch cell read before
     * it is written on every path.
     */
    public void validate() throws FilterException {
        int n = code.length;
        if (n == 0 || n > MAX_INSNS) {
            throw new FilterException("BPF program has " + n + " instructions; the kernel accepts 1 to " + MAX_INSNS);
        }
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc];
            if (!isKnownOpcode(c)) {
                throw new FilterException("BPF instruction " + pc + " has unknown opcode 0x" + Integer.toHexString(c));
            }
            switch (c) {
                case ALU | DIV | K, ALU | MOD | K -> {
                    if (k[pc] == 0) throw new FilterException("BPF instruction " + pc + " divides by constant 0");
                }
                case ALU | LSH | K, ALU | RSH | K -> {
                    if (Integer.compareUnsigned(k[pc], 32) >= 0) {
                        throw new FilterException("BPF instruction " + pc + " shifts by " + Integer.toUnsignedString(k[pc]));
                    }
                }
                case LD | MEM, LDX | MEM, ST, STX -> {
                    if (Integer.compareUnsigned(k[pc], MEMWORDS) >= 0) {
                        throw new FilterException("BPF instruction " + pc + " uses scratch cell " + Integer.toUnsignedString(k[pc]));
                    }
                }
                case JMP | JA -> {
                    if (Integer.compareUnsigned(k[pc], n - pc - 1) >= 0) {
                        throw new FilterException("BPF instruction " + pc + " jumps out of the program");
                    }
                }
                default -> {
                    if (isConditionalJump(c) && (pc + jt[pc] + 1 >= n || pc + jf[pc] + 1 >= n)) {
                        throw new FilterException("BPF instruction " + pc + " jumps out of the program");
                    }
                }
            }
        }
        if (cls(code[n - 1]) != RET) {
            throw new FilterException("BPF program does not end in RET");
        }
        checkLoadsAfterStores();
    }

    /** The kernel's check_load_and_stores, transcribed: one valid-bit per scratch cell, merged at jump targets. */
    private void checkLoadsAfterStores() throws FilterException {
        int n = code.length;
        int[] masks = new int[n];
        Arrays.fill(masks, 0xffff);
        int memValid = 0;
        for (int pc = 0; pc < n; pc++) {
            memValid &= masks[pc];
            int c = code[pc];
            if (c == ST || c == STX) {
                memValid |= 1 << k[pc];
            } else if (c == (LD | MEM) || c == (LDX | MEM)) {
                if ((memValid & (1 << k[pc])) == 0) {
                    throw new FilterException("BPF instruction " + pc + " reads scratch cell " + k[pc] + " before it is written");
                }
            } else if (c == (JMP | JA)) {
                masks[pc + 1 + k[pc]] &= memValid;
                memValid = 0xffff;
            } else if (isConditionalJump(c)) {
                masks[pc + 1 + jt[pc]] &= memValid;
                masks[pc + 1 + jf[pc]] &= memValid;
                memValid = 0xffff;
            }
        }
    }

    /**
     * Builds {@code struct sock_fprog} pointing at an array of {@code struct sock_filter}, both
     * allocated in {@code arena}, ready for setsockopt(SOL_SOCKET, SO_ATTACH_FILTER). The arena must
     * stay open until setsockopt returns (the kernel copies the program).
     */
    public MemorySegment toSockFprog(Arena arena) {
        int n = code.length;
        if (n > 0xffff) throw new IllegalStateException("program too long for sock_fprog.len");
        MemorySegment filters = arena.allocate(BpfLayouts.SOCK_FILTER, Math.max(1, n));
        for (int i = 0; i < n; i++) {
            long base = i * BpfLayouts.INSN_SIZE;
            filters.set(ValueLayout.JAVA_SHORT, base + BpfLayouts.INSN_CODE_OFFSET, (short) code[i]);
            filters.set(ValueLayout.JAVA_BYTE, base + BpfLayouts.INSN_JT_OFFSET, (byte) jt[i]);
            filters.set(ValueLayout.JAVA_BYTE, base + BpfLayouts.INSN_JF_OFFSET, (byte) jf[i]);
            filters.set(ValueLayout.JAVA_INT, base + BpfLayouts.INSN_K_OFFSET, k[i]);
        }
        MemorySegment fprog = arena.allocate(BpfLayouts.SOCK_FPROG);
        fprog.set(ValueLayout.JAVA_SHORT, BpfLayouts.SOCK_FPROG_LEN_OFFSET, (short) n);
        fprog.set(ValueLayout.ADDRESS, BpfLayouts.SOCK_FPROG_FILTER_OFFSET, filters);
        return fprog;
    }

    /** The program in {@code tcpdump -dd} form. */
    public String toDdString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < code.length; i++) {
            sb.append(String.format("{ 0x%x, %d, %d, 0x%08x },%n", code[i], jt[i], jf[i], k[i]));
        }
        return sb.toString();
    }

    /** The program in {@code tcpdump -d} form (libpcap's bpf_image), one instruction per line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < code.length; i++) {
            sb.append(image(i)).append('\n');
        }
        return sb.toString();
    }

    private String image(int n) {
        int c = code[n], v = k[n];
        String op, operand;
        switch (c) {
            case RET | K -> { op = "ret"; operand = "#" + Integer.toUnsignedString(v); }
            case RET | RET_A -> { op = "ret"; operand = "a"; }
            case LD | W | ABS -> { op = "ld"; operand = "[" + Integer.toUnsignedString(v) + "]"; }
            case LD | H | ABS -> { op = "ldh"; operand = "[" + Integer.toUnsignedString(v) + "]"; }
            case LD | B | ABS -> { op = "ldb"; operand = "[" + Integer.toUnsignedString(v) + "]"; }
            case LD | W | LEN -> { op = "ld"; operand = "#pktlen"; }
            case LD | W | IND -> { op = "ld"; operand = "[x + " + Integer.toUnsignedString(v) + "]"; }
            case LD | H | IND -> { op = "ldh"; operand = "[x + " + Integer.toUnsignedString(v) + "]"; }
            case LD | B | IND -> { op = "ldb"; operand = "[x + " + Integer.toUnsignedString(v) + "]"; }
            case LD | IMM -> { op = "ld"; operand = "#0x" + Integer.toHexString(v); }
            case LDX | IMM -> { op = "ldx"; operand = "#0x" + Integer.toHexString(v); }
            case LDX | W | LEN -> { op = "ldx"; operand = "#pktlen"; }
            case LDX | B | MSH -> { op = "ldxb"; operand = "4*([" + Integer.toUnsignedString(v) + "]&0xf)"; }
            case LD | MEM -> { op = "ld"; operand = "M[" + Integer.toUnsignedString(v) + "]"; }
            case LDX | MEM -> { op = "ldx"; operand = "M[" + Integer.toUnsignedString(v) + "]"; }
            case ST -> { op = "st"; operand = "M[" + Integer.toUnsignedString(v) + "]"; }
            case STX -> { op = "stx"; operand = "M[" + Integer.toUnsignedString(v) + "]"; }
            case JMP | JA -> { op = "ja"; operand = Long.toString(n + 1 + Integer.toUnsignedLong(v)); }
            case ALU | NEG -> { op = "neg"; operand = ""; }
            case MISC | TAX -> { op = "tax"; operand = ""; }
            case MISC | TXA -> { op = "txa"; operand = ""; }
            default -> {
                String name = switch (cls(c)) {
                    case JMP -> switch (op(c)) {
                        case JEQ -> "jeq"; case JGT -> "jgt"; case JGE -> "jge"; case JSET -> "jset"; default -> null;
                    };
                    case ALU -> switch (op(c)) {
                        case ADD -> "add"; case SUB -> "sub"; case MUL -> "mul"; case DIV -> "div"; case MOD -> "mod";
                        case AND -> "and"; case OR -> "or"; case XOR -> "xor"; case LSH -> "lsh"; case RSH -> "rsh";
                        default -> null;
                    };
                    default -> null;
                };
                if (name == null || !isKnownOpcode(c)) {
                    op = "unimp";
                    operand = "0x" + Integer.toHexString(c);
                } else {
                    op = name;
                    boolean hex = cls(c) == JMP || op(c) == AND || op(c) == OR || op(c) == XOR;
                    operand = src(c) == X ? "x" : hex ? "#0x" + Integer.toHexString(v) : "#" + Integer.toUnsignedString(v);
                }
            }
        }
        if (isConditionalJump(c) && isKnownOpcode(c)) {
            return String.format("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n + 1 + jt[n], n + 1 + jf[n]);
        }
        return String.format("(%03d) %-8s %s", n, op, operand).stripTrailing();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfProgram p && Arrays.equals(code, p.code) && Arrays.equals(jt, p.jt)
                && Arrays.equals(jf, p.jf) && Arrays.equals(k, p.k);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(code) * 31 + Arrays.hashCode(k);
    }
}
