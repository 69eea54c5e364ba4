package gulp.filter;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.*;

class BpfAssemblerTest {

    private static int runOn(BpfProgram p, int firstByte) throws FilterException {
        return new BpfInterpreter(p).run(MemorySegment.ofArray(new byte[]{(byte) firstByte}), 0, 1, 1);
    }

    @Test
    void labelsResolveToForwardOffsets() throws FilterException {
        BpfAssembler asm = new BpfAssembler();
        BpfAssembler.Label yes = asm.newLabel(), no = asm.newLabel();
        asm.ldb(0).jeq(7, yes, no).bind(no).ret(0).bind(yes).ret(99);
        BpfProgram p = asm.assemble();
        assertEquals(1, p.jt(1));
        assertEquals(0, p.jf(1));
        assertEquals(99, runOn(p, 7));
        assertEquals(0, runOn(p, 8));
    }

    @Test
    void farTargetsOnBothSidesGetTrampolines() throws FilterException {
        for (boolean sameTarget : new boolean[]{false, true}) {
            BpfAssembler asm = new BpfAssembler();
            BpfAssembler.Label a = asm.newLabel(), b = sameTarget ? a : asm.newLabel();
            asm.ldb(0).jeq(7, a, b);
            for (int i = 0; i < 300; i++) asm.ret(i + 1000);
            if (!sameTarget) asm.bind(b).ret(2);
            asm.bind(a).ret(1);
            BpfProgram p = asm.assemble();
            assertEquals(1, runOn(p, 7));
            assertEquals(sameTarget ? 1 : 2, runOn(p, 8));
            assertEquals(JMP | JA, p.code(2));
        }
    }

    @Test
    void badLabelsAreRefused() {
        BpfAssembler unbound = new BpfAssembler();
        unbound.ldb(0).ja(unbound.newLabel()).ret(0);
        assertThrows(FilterException.class, unbound::assemble);
        BpfAssembler backward = new BpfAssembler();
        BpfAssembler.Label top = backward.newLabel();
        backward.bind(top).ldb(0).ja(top).ret(0);
        assertThrows(FilterException.class, backward::assemble);
        BpfAssembler twice = new BpfAssembler();
        BpfAssembler.Label l = twice.newLabel();
        twice.bind(l);
        assertThrows(IllegalStateException.class, () -> twice.bind(l));
    }
}
