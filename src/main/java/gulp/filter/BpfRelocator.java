package gulp.filter;

import static gulp.filter.Bpf.*;

/**
 * Moves a filter written for a frame at offset 0 onto a frame that starts {@code offset} bytes
 * into the packet (the inner frame of an encapsulation), for use as a kernel socket filter.
 * <ul>
 *   <li>packet loads (LD/LDX ABS, IND, MSH) read at k + offset;</li>
 *   <li>{@code ld len} becomes {@code ld len; sub #offset}; {@code ldx len} goes through a free scratch cell;</li>
 *   <li>{@code ret #k} with k != 0 becomes {@code ret #(k + offset)} (saturated): the kernel keeps
 *       k bytes of the inner frame plus the outer headers; {@code ret a} likewise, keeping 0 as 0;</li>
 *   <li>jumps are re-encoded for the inserted instructions (trampolines if needed).</li>
 * </ul>
 * The caller guarantees the packet is at least {@code offset} bytes long (see {@link InnerFilterProgram}).
 */
public final class BpfRelocator {
    private BpfRelocator() {}

    /** Largest packet offset a relocated load may use; beyond it the kernel would see a negative (ancillary) offset. */
    private static final long MAX_LOAD_OFFSET = Integer.MAX_VALUE;

    public static BpfProgram relocate(BpfProgram inner, int offset) throws FilterException {
        BpfAssembler asm = new BpfAssembler();
        emitRelocated(asm, inner, offset);
        return asm.assemble();
    }

    /** Appends the relocated {@code inner} to {@code asm}. */
    static void emitRelocated(BpfAssembler asm, BpfProgram inner, int offset) throws FilterException {
        if (offset < 0) throw new FilterException("relocation offset " + offset + " is negative");
        inner.validate();
        BpfInterpreter.refuseAncillaryLoads(inner, false);
        int n = inner.length();
        BpfAssembler.Label[] at = new BpfAssembler.Label[n];
        for (int i = 0; i < n; i++) at[i] = asm.newLabel();
        int freeCell = -1;
        for (int i = 0; i < n; i++) {
            asm.bind(at[i]);
            int c = inner.code(i), k = inner.k(i);
            if (isPacketLoad(c)) {
                long moved = Integer.toUnsignedLong(k) + offset;
                if (moved > MAX_LOAD_OFFSET) {
                    throw new FilterException("BPF instruction " + i + " loads at " + Integer.toUnsignedString(k)
                            + ", too far to relocate by " + offset);
                }
                asm.insn(c, (int) moved);
            } else if (c == (LD | W | LEN)) {
                asm.insn(LD | W | LEN, 0).insn(ALU | SUB | K, offset);
            } else if (c == (LDX | W | LEN)) {
                if (freeCell < 0) freeCell = unusedScratchCell(inner);
                asm.insn(ST, freeCell).insn(LD | W | LEN, 0).insn(ALU | SUB | K, offset)
                        .insn(MISC | TAX, 0).insn(LD | MEM, freeCell);
            } else if (c == (RET | K)) {
                asm.ret(k == 0 ? 0 : saturatedAdd(k, offset));
            } else if (c == (RET | RET_A)) {
                BpfAssembler.Label zero = asm.newLabel(), keep = asm.newLabel(), whole = asm.newLabel();
                asm.jeq(0, zero, null)
                        .insn(ALU | ADD | K, offset)
                        .jge(offset, keep, whole)            // below offset only if the add wrapped
                        .bind(keep).insn(RET | RET_A, 0)
                        .bind(whole).ret(0xffffffff)
                        .bind(zero).ret(0);
            } else if (c == (JMP | JA)) {
                asm.ja(at[(int) (i + 1 + Integer.toUnsignedLong(k))]);
            } else if (isConditionalJump(c)) {
                asm.jump(c, k, at[i + 1 + inner.jt(i)], at[i + 1 + inner.jf(i)]);
            } else {
                asm.insn(c, k);
            }
        }
    }

    private static int saturatedAdd(int k, int offset) {
        return (int) Math.min(Integer.toUnsignedLong(k) + offset, 0xffffffffL);
    }

    private static int unusedScratchCell(BpfProgram program) throws FilterException {
        int used = 0;
        for (int i = 0; i < program.length(); i++) {
            int c = program.code(i);
            if (c == ST || c == STX || c == (LD | MEM) || c == (LDX | MEM)) used |= 1 << program.k(i);
        }
        for (int cell = 0; cell < MEMWORDS; cell++) {
            if ((used & (1 << cell)) == 0) return cell;
        }
        throw new FilterException("cannot relocate 'ldx len': the filter uses all " + MEMWORDS + " scratch cells");
    }
}
