package gulp.filter;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.*;

class BpfInterpreterTest {

    private static int run(BpfAssembler asm, byte[] packet, int wirelen) throws FilterException {
        return new BpfInterpreter(asm.assemble()).run(MemorySegment.ofArray(packet), 0, packet.length, wirelen);
    }

    private static int eval(int... codeAndK) throws FilterException {
        BpfAssembler asm = new BpfAssembler();
        for (int i = 0; i < codeAndK.length; i += 2) asm.insn(codeAndK[i], codeAndK[i + 1]);
        asm.insn(RET | RET_A, 0);
        return run(asm, new byte[]{0x12, 0x34, 0x56, 0x78, (byte) 0x9a}, 1000);
    }

    @Test
    void arithmeticIsUnsigned32Bit() throws FilterException {
        assertEquals(0xffffffff, eval(LD | IMM, 0, ALU | SUB | K, 1));
        assertEquals(0x7fffffff, eval(LD | IMM, 0xfffffffe, ALU | DIV | K, 2));
        assertEquals(1, eval(LD | IMM, 0xffffffff, ALU | MOD | K, 2));
        assertEquals(0xfffffffe, eval(LD | IMM, 0x7fffffff, ALU | MUL | K, 2));
        assertEquals(0x7fffffff, eval(LD | IMM, 0xffffffff, ALU | RSH | K, 1));
        assertEquals(0xfffffff0, eval(LD | IMM, 0x0fffffff, ALU | LSH | K, 4));
        assertEquals(0xff00ff00, eval(LD | IMM, 0x00ff00ff, ALU | XOR | K, 0xffffffff));
        assertEquals(-5, eval(LD | IMM, 5, ALU | NEG, 0));
        assertEquals(7, eval(LD | IMM, 3, LDX | IMM, 4, ALU | ADD | X, 0));
        assertEquals(3, eval(LD | IMM, 7, LDX | IMM, 4, ALU | MOD | X, 0));
    }

    /**
     * The kernel runs {@code lsh x}/{@code rsh x} as 32-bit eBPF shifts, which use X mod 32 (x86 and
     * arm64 hardware, and the kernel interpreter's masking). libpcap 1.10's bpf_filter() gives 0
     * for X >= 32. The kernel is the reference: live capture filters there.
     */
    @Test
    void shiftByXUsesTheLowFiveBitsLikeTheKernel() throws FilterException {
        assertEquals(0x10, eval(LD | IMM, 1, LDX | IMM, 36, ALU | LSH | X, 0));
        assertEquals(0x3ffffff, eval(LD | IMM, 0xfffffffb, LDX | IMM, 38, ALU | RSH | X, 0));
        assertEquals(1 << 31, eval(LD | IMM, 1, LDX | IMM, 31, ALU | LSH | X, 0));
    }

    @Test
    void divisionOrModuloByZeroXDropsThePacket() throws FilterException {
        assertEquals(0, eval(LD | IMM, 7, LDX | IMM, 0, ALU | DIV | X, 0, LD | IMM, 99));
        assertEquals(0, eval(LD | IMM, 7, LDX | IMM, 0, ALU | MOD | X, 0, LD | IMM, 99));
    }

    @Test
    void divisionByConstantZeroIsRefused() {
        assertThrows(FilterException.class, () -> eval(LD | IMM, 7, ALU | DIV | K, 0));
        assertThrows(FilterException.class, () -> eval(LD | IMM, 7, ALU | MOD | K, 0));
        assertThrows(FilterException.class, () -> eval(LD | IMM, 7, ALU | LSH | K, 32));
    }

    @Test
    void loadsReadBigEndianAndStopAtCaplen() throws FilterException {
        assertEquals(0x12345678, eval(LD | W | ABS, 0));
        assertEquals(0x3456, eval(LD | H | ABS, 1));
        assertEquals(0x9a, eval(LD | B | ABS, 4));
        assertEquals(0, eval(LD | W | ABS, 2, LD | IMM, 99));     // 4 bytes from 2 cross caplen 5
        assertEquals(0, eval(LD | B | ABS, 5, LD | IMM, 99));
        assertEquals(0x789a, eval(LDX | IMM, 2, LD | H | IND, 1));
        assertEquals(0, eval(LDX | IMM, 0xffffffff, LD | B | IND, 1, LD | IMM, 99)); // X + k overflows: out of range, no wrap
        assertEquals(0, eval(LD | B | ABS, 0xffdfffff, LD | IMM, 99));
    }

    @Test
    void lenGivesTheWireLengthAndMshTheIpHeaderLength() throws FilterException {
        assertEquals(1000, eval(LD | W | LEN, 0));
        assertEquals(1000, eval(LDX | W | LEN, 0, MISC | TXA, 0));
        assertEquals(4 * 0x2, eval(LDX | B | MSH, 0, MISC | TXA, 0));
    }

    @Test
    void scratchMemoryHoldsSixteenWords() throws FilterException {
        assertEquals(42, eval(LD | IMM, 42, ST, 15, LD | IMM, 0, LDX | MEM, 15, MISC | TXA, 0));
        assertThrows(FilterException.class, () -> eval(LD | IMM, 42, ST, 16));
        assertThrows(FilterException.class, () -> eval(LD | MEM, 3)); // read before write: the kernel refuses it
    }

    @Test
    void everyJumpKindComparesUnsigned() throws FilterException {
        int[][] cases = { // code, A, k, expected-taken
                {JMP | JEQ | K, 5, 5, 1}, {JMP | JEQ | K, 5, 6, 0},
                {JMP | JGT | K, 0xffffffff, 1, 1}, {JMP | JGT | K, 1, 1, 0},
                {JMP | JGE | K, 1, 1, 1}, {JMP | JGE | K, 0, 0xffffffff, 0},
                {JMP | JSET | K, 6, 2, 1}, {JMP | JSET | K, 6, 1, 0}};
        for (int[] c : cases) {
            for (boolean viaX : new boolean[]{false, true}) {
                BpfAssembler asm = new BpfAssembler();
                BpfAssembler.Label taken = asm.newLabel();
                asm.insn(LD | IMM, c[1]);
                if (viaX) asm.insn(LDX | IMM, c[2]).jump(c[0] | X, 0, taken, null);
                else asm.jump(c[0], c[2], taken, null);
                asm.ret(0).bind(taken).ret(1);
                assertEquals(c[3], run(asm, new byte[0], 0), Integer.toHexString(c[0]) + " viaX=" + viaX);
            }
        }
    }

    @Test
    void ancillaryLoadsAreRefused() {
        for (int k : new int[]{SKF_AD_OFF, SKF_AD_OFF + 44, SKF_NET_OFF, SKF_LL_OFF, 0xffffffff}) {
            FilterException e = assertThrows(FilterException.class, () -> eval(LD | W | ABS, k));
            assertTrue(e.getMessage().contains("ancillary"), e.getMessage());
        }
    }

    @Test
    void readsAtAnOffsetAndClipsToTheSegment() throws FilterException {
        BpfInterpreter i = new BpfInterpreter(new BpfAssembler().ldb(1).insn(RET | RET_A, 0).assemble());
        MemorySegment seg = MemorySegment.ofArray(new byte[]{1, 2, 3, 4});
        assertEquals(4, i.run(seg, 2, 2, 2));
        assertEquals(0, i.run(seg, 3, 100, 100));   // caplen beyond the segment: clipped, so the load fails
        assertEquals(0, i.run(seg, 9, 2, 2));       // offset beyond the segment
        assertEquals(0, i.run(seg, 0, -1, 2));
    }
}
