package gulp.filter;

import gulp.linux.BpfLayouts;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.*;

class BpfProgramTest {

    @Test
    void parsesTcpdumpDdAndPrintsItBack() throws Exception {
        String dd = """
                { 0x28, 0, 0, 0x0000000c },
                { 0x15, 0, 1, 0x00000800 },
                { 0x6, 0, 0, 0x00040000 },
                { 0x6, 0, 0, 0x00000000 },
                """;
        BpfProgram p = BpfProgram.parse(dd);
        assertEquals(4, p.length());
        assertEquals(0x28, p.code(0));
        assertEquals(1, p.jf(1));
        assertEquals(0x800, p.k(1));
        assertEquals(dd, p.toDdString().replace(System.lineSeparator(), "\n"));
        p.validate();
        assertThrows(FilterException.class, () -> BpfProgram.parse("{ 0x28, 0, 0 },"));
        assertThrows(FilterException.class, () -> BpfProgram.parse("{ 0x10028, 0, 0, 0x0 },"));
    }

    @Test
    void validateAppliesTheKernelsRules() {
        assertInvalid(new int[0][]);                                                   // empty
        assertInvalid(new int[][]{{LD | IMM, 0, 0, 1}});                               // does not end in RET
        assertInvalid(new int[][]{{JMP | JEQ | K, 1, 0, 1}, {RET | K, 0, 0, 0}});      // jt out of range
        assertInvalid(new int[][]{{JMP | JA, 0, 0, 1}, {RET | K, 0, 0, 0}});           // ja out of range
        assertInvalid(new int[][]{{ALU | DIV | K, 0, 0, 0}, {RET | K, 0, 0, 0}});      // divide by constant 0
        assertInvalid(new int[][]{{ALU | MOD | K, 0, 0, 0}, {RET | K, 0, 0, 0}});
        assertInvalid(new int[][]{{ST, 0, 0, 16}, {RET | K, 0, 0, 0}});                // scratch index
        assertInvalid(new int[][]{{0x99, 0, 0, 0}, {RET | K, 0, 0, 0}});              // unknown opcode
        assertInvalid(new int[][]{{JMP | JEQ | K, 1, 0, 5}, {ST, 0, 0, 1}, {LD | MEM, 0, 0, 1}, {RET | RET_A, 0, 0, 0}}); // read before write on one path
        int[][] tooLong = new int[MAX_INSNS + 1][];
        for (int i = 0; i < tooLong.length; i++) tooLong[i] = new int[]{RET | K, 0, 0, 0};
        assertInvalid(tooLong);
    }

    private static void assertInvalid(int[][] insns) {
        int n = insns.length;
        int[] c = new int[n], t = new int[n], f = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = insns[i][0];
            t[i] = insns[i][1];
            f[i] = insns[i][2];
            k[i] = insns[i][3];
        }
        assertThrows(FilterException.class, () -> BpfProgram.of(c, t, f, k).validate());
    }

    @Test
    void sockFprogPointsAtSockFilterArrayInKernelLayout() throws Exception {
        BpfProgram p = FilterCompiler.compile("udp port 53");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fprog = p.toSockFprog(arena);
            assertEquals(BpfLayouts.SOCK_FPROG_SIZE, fprog.byteSize());
            assertEquals(16, BpfLayouts.SOCK_FPROG.byteSize());
            assertEquals(8, BpfLayouts.SOCK_FPROG.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("filter")));
            assertEquals(8, BpfLayouts.SOCK_FILTER.byteSize());
            assertEquals(p.length(), Short.toUnsignedInt(fprog.get(ValueLayout.JAVA_SHORT, 0)));
            MemorySegment filters = fprog.get(ValueLayout.ADDRESS, 8).reinterpret(8L * p.length());
            for (int i = 0; i < p.length(); i++) {
                assertEquals(p.code(i), Short.toUnsignedInt(filters.get(ValueLayout.JAVA_SHORT, 8L * i)));
                assertEquals(p.jt(i), Byte.toUnsignedInt(filters.get(ValueLayout.JAVA_BYTE, 8L * i + 2)));
                assertEquals(p.jf(i), Byte.toUnsignedInt(filters.get(ValueLayout.JAVA_BYTE, 8L * i + 3)));
                assertEquals(p.k(i), filters.get(ValueLayout.JAVA_INT, 8L * i + 4));
            }
        }
    }
}
