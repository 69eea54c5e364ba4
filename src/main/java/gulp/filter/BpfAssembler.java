package gulp.filter;

import java.util.ArrayList;
import java.util.List;

import static gulp.filter.Bpf.*;

/**
 * A small classic BPF assembler with labels, for writing prefix programs and re-encoding
 * relocated ones. Jumps may only go forward. A conditional jump whose target is more than 255
 * instructions away gets a {@code ja} trampoline placed right after it.
 */
public final class BpfAssembler {

    /** A position in the program; bind it exactly once, before the instruction it names. */
    public static final class Label {
        private int boundItem = -1;
    }

    private record Item(int code, int k, Label jt, Label jf) {}

    private final List<Item> items = new ArrayList<>();

    public Label newLabel() { return new Label(); }

    /** Binds {@code label} to the next instruction emitted. */
    public BpfAssembler bind(Label label) {
        if (label.boundItem >= 0) throw new IllegalStateException("label bound twice");
        label.boundItem = items.size();
        return this;
    }

    /** Any non-jump instruction. */
    public BpfAssembler insn(int code, int k) {
        if (cls(code) == JMP) throw new IllegalArgumentException("use jump() or ja() for jumps");
        items.add(new Item(code, k, null, null));
        return this;
    }

    /** A conditional jump; a null label means the next instruction. */
    public BpfAssembler jump(int code, int k, Label whenTrue, Label whenFalse) {
        if (!isConditionalJump(code)) throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(code));
        items.add(new Item(code, k, whenTrue, whenFalse));
        return this;
    }

    /** Unconditional jump. */
    public BpfAssembler ja(Label target) {
        items.add(new Item(JMP | JA, 0, target, null));
        return this;
    }

    public BpfAssembler ldb(int offset) { return insn(LD | B | ABS, offset); }
    public BpfAssembler ldh(int offset) { return insn(LD | H | ABS, offset); }
    public BpfAssembler ld(int offset) { return insn(LD | W | ABS, offset); }
    public BpfAssembler ldLen() { return insn(LD | W | LEN, 0); }
    public BpfAssembler and(int mask) { return insn(ALU | AND | K, mask); }
    public BpfAssembler jeq(int value, Label whenTrue, Label whenFalse) { return jump(JMP | JEQ | K, value, whenTrue, whenFalse); }
    public BpfAssembler jge(int value, Label whenTrue, Label whenFalse) { return jump(JMP | JGE | K, value, whenTrue, whenFalse); }
    public BpfAssembler jset(int bits, Label whenTrue, Label whenFalse) { return jump(JMP | JSET | K, bits, whenTrue, whenFalse); }
    public BpfAssembler ret(int k) { return insn(RET | K, k); }

    public int size() { return items.size(); }

    /** Resolves labels (adding trampolines where needed) and returns the validated program. */
    public BpfProgram assemble() throws FilterException {
        int n = items.size();
        boolean[] trampTrue = new boolean[n], trampFalse = new boolean[n];
        int[] pos = new int[n + 1];
        boolean changed = true;
        while (changed) {
            changed = false;
            layout(pos, trampTrue, trampFalse);
            for (int i = 0; i < n; i++) {
                Item it = items.get(i);
                if (!isConditionalJump(it.code)) continue;
                long base = pos[i] + 1L;
                if (!trampTrue[i] && target(it.jt, i, pos) - base > 255) {
                    trampTrue[i] = true;
                    changed = true;
                }
                if (!trampFalse[i] && target(it.jf, i, pos) - base > 255
                        && !(trampTrue[i] && it.jf == it.jt)) {
                    trampFalse[i] = true;
                    changed = true;
                }
            }
        }
        int total = pos[n];
        int[] code = new int[total], jt = new int[total], jf = new int[total], k = new int[total];
        for (int i = 0; i < n; i++) {
            Item it = items.get(i);
            int p = pos[i];
            code[p] = it.code;
            k[p] = it.k;
            if (it.code == (JMP | JA)) {
                k[p] = distance(target(it.jt, i, pos), p);
            } else if (isConditionalJump(it.code)) {
                int next = p + 1;
                int tramp = next;
                int tTrue = target(it.jt, i, pos), tFalse = target(it.jf, i, pos);
                if (trampTrue[i]) {
                    emitJa(code, k, tramp, tTrue);
                    jt[p] = tramp - next;
                    if (it.jf == it.jt) jf[p] = jt[p];
                    tramp++;
                } else {
                    jt[p] = distance(tTrue, p);
                }
                if (trampFalse[i]) {
                    emitJa(code, k, tramp, tFalse);
                    jf[p] = tramp - next;
                } else if (!(trampTrue[i] && it.jf == it.jt)) {
                    jf[p] = distance(tFalse, p);
                }
            }
        }
        BpfProgram program = BpfProgram.of(code, jt, jf, k);
        program.validate();
        return program;
    }

    private void layout(int[] pos, boolean[] trampTrue, boolean[] trampFalse) {
        int p = 0;
        for (int i = 0; i < items.size(); i++) {
            pos[i] = p;
            p += 1 + (trampTrue[i] ? 1 : 0) + (trampFalse[i] ? 1 : 0);
        }
        pos[items.size()] = p;
    }

    /** Absolute position of a label (null = the instruction after item i, past its trampolines). */
    private int target(Label label, int item, int[] pos) throws FilterException {
        if (label == null) return pos[item + 1];
        if (label.boundItem < 0) throw new FilterException("BPF assembler: jump to an unbound label");
        if (label.boundItem >= items.size()) throw new FilterException("BPF assembler: label bound past the last instruction");
        if (label.boundItem <= item) throw new FilterException("BPF assembler: backward jump at instruction " + item);
        return pos[label.boundItem];
    }

    private static int distance(int target, int from) throws FilterException {
        int d = target - from - 1;
        if (d < 0) throw new FilterException("BPF assembler: backward jump");
        return d;
    }

    private static void emitJa(int[] code, int[] k, int at, int target) throws FilterException {
        code[at] = JMP | JA;
        k[at] = distance(target, at);
    }
}
