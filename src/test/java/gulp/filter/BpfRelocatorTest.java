package gulp.filter;

import gulp.testing.Frames;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.*;

class BpfRelocatorTest {

    /** Verdict of {@code program} on {@code frame} behind {@code offset} random bytes. */
    private static int behind(BpfInterpreter program, byte[] frame, int offset, Random r) {
        byte[] outer = new byte[offset + frame.length];
        r.nextBytes(outer);
        System.arraycopy(frame, 0, outer, offset, frame.length);
        return program.run(MemorySegment.ofArray(outer), 0, outer.length, outer.length);
    }

    private static int shifted(int verdict, int offset) {
        return verdict == 0 ? 0 : (int) Math.min(Integer.toUnsignedLong(verdict) + offset, 0xffffffffL);
    }

    private static void assertEquivalent(BpfProgram inner, int offset, long seed, int frames) throws FilterException {
        BpfInterpreter original = new BpfInterpreter(inner);
        BpfInterpreter relocated = new BpfInterpreter(BpfRelocator.relocate(inner, offset));
        Random r = new Random(seed);
        for (int i = 0; i < frames; i++) {
            byte[] frame = Frames.randomFrame(r);
            int expected = shifted(original.run(MemorySegment.ofArray(frame), 0, frame.length, frame.length), offset);
            assertEquals(expected, behind(relocated, frame, offset, r), () -> inner + "\nrelocated by " + offset);
        }
    }

    @Test
    void corpusFiltersKeepTheirVerdictsBehindAnyHeader() throws FilterException {
        for (String e : FilterCorpus.EXPRESSIONS) {
            for (int offset : new int[]{0, 4, 38, 50, 54, 1000}) {
                assertEquivalent(FilterCompiler.compile(e), offset, e.hashCode() + offset, 300);
            }
        }
    }

    @Test
    void lenBecomesLenMinusOffset() throws FilterException {
        BpfProgram p = BpfRelocator.relocate(FilterCompiler.compile("greater 200"), 50);
        assertEquals("""
                (000) ld       #pktlen
                (001) sub      #50
                (002) jge      #0xc8            jt 3	jf 4
                (003) ret      #262194
                (004) ret      #0
                """, p.toString());
    }

    @Test
    void retAKeepsZeroAndAddsTheOffsetSaturating() throws FilterException {
        BpfProgram retLen = new BpfAssembler().ldLen().insn(RET | RET_A, 0).assemble();
        BpfInterpreter relocated = new BpfInterpreter(BpfRelocator.relocate(retLen, 50));
        byte[] outer = new byte[130];
        assertEquals(130, relocated.run(MemorySegment.ofArray(outer), 0, 130, 130));
        BpfInterpreter zero = new BpfInterpreter(BpfRelocator.relocate(
                new BpfAssembler().insn(LD | IMM, 0).insn(RET | RET_A, 0).assemble(), 50));
        assertEquals(0, zero.run(MemorySegment.ofArray(outer), 0, 130, 130));
        BpfInterpreter huge = new BpfInterpreter(BpfRelocator.relocate(
                new BpfAssembler().insn(LD | IMM, 0xfffffff0).insn(RET | RET_A, 0).assemble(), 50));
        assertEquals(0xffffffff, huge.run(MemorySegment.ofArray(outer), 0, 130, 130));
        BpfInterpreter retK = new BpfInterpreter(BpfRelocator.relocate(new BpfAssembler().ret(0xfffffff0).assemble(), 50));
        assertEquals(0xffffffff, retK.run(MemorySegment.ofArray(outer), 0, 130, 130));
    }

    @Test
    void ldxLenGoesThroughAFreeScratchCell() throws FilterException {
        BpfAssembler asm = new BpfAssembler();
        for (int cell = 0; cell < 15; cell++) asm.insn(LD | IMM, cell).insn(ST, cell);
        asm.insn(LD | IMM, 7).insn(LDX | W | LEN, 0).insn(ALU | ADD | X, 0).insn(LDX | MEM, 14).insn(ALU | ADD | X, 0)
                .insn(RET | RET_A, 0);
        BpfProgram inner = asm.assemble();   // A = 7 + len + 14
        assertEquivalent(inner, 50, 1, 50);
        BpfAssembler full = new BpfAssembler();
        for (int cell = 0; cell < 16; cell++) full.insn(ST, cell);
        full.insn(LDX | W | LEN, 0).insn(RET | RET_A, 0);
        FilterException e = assertThrows(FilterException.class, () -> BpfRelocator.relocate(full.assemble(), 50));
        assertTrue(e.getMessage().contains("scratch"), e.getMessage());
    }

    @Test
    void conditionalJumpsBeyond255GetTrampolines() throws FilterException {
        BpfAssembler b = new BpfAssembler();
        BpfAssembler.Label v4 = b.newLabel(), s1 = b.newLabel(), s2 = b.newLabel();
        b.ldh(12).jeq(0x0800, v4, null);
        for (int i = 0; i < 200; i++) b.ldLen();
        b.ldLen().jge(100, null, s1).ret(1000).bind(s1).ret(0);
        b.bind(v4).ldLen().jge(200, null, s2).ret(2000).bind(s2).ret(0);
        BpfProgram inner = b.assemble();
        assertEquals(210, inner.length());                     // no trampoline needed before relocation
        BpfProgram relocated = BpfRelocator.relocate(inner, 50);
        relocated.validate();
        assertTrue(relocated.toString().contains("ja "), relocated.toString());
        assertEquivalent(inner, 50, 3, 400);
    }

    @Test
    void ancillaryLoadsAreRefused() {
        BpfProgram p = BpfProgram.of(new int[]{LD | B | ABS, RET | RET_A}, new int[2], new int[2], new int[]{SKF_AD_OFF + 4, 0});
        assertThrows(FilterException.class, () -> BpfRelocator.relocate(p, 50));
    }

    /** Random valid programs (loads, ALU, all jump kinds, len, ret a) keep their verdict when relocated. */
    @Property(tries = 400)
    void randomProgramsRelocateExactly(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2000) int offset) throws FilterException {
        Random r = new Random(seed);
        BpfProgram inner = RandomPrograms.valid(r, 2 + r.nextInt(60));
        assertEquivalent(inner, offset, seed, 20);
    }
}
