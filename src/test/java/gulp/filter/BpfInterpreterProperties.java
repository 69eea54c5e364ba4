package gulp.filter;

import gulp.testing.Frames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BpfInterpreterProperties {

    private static final int[] OPCODES = KNOWN_OPCODES.stream().mapToInt(Integer::intValue).toArray();

    record Insn(int code, int jt, int jf, int k) {}

    @Provide
    Arbitrary<Insn> anyInstruction() {
        Arbitrary<Integer> code = Arbitraries.oneOf(Arbitraries.of(0, 1, 2, 3, 4, 5, 6).map(i -> OPCODES[i * 7 % OPCODES.length]),
                Arbitraries.integers().between(0, OPCODES.length - 1).map(i -> OPCODES[i]),
                Arbitraries.integers().between(0, 0xffff));
        Arbitrary<Integer> k = Arbitraries.oneOf(Arbitraries.integers().between(0, 80), Arbitraries.integers(),
                Arbitraries.of(0, 1, 15, 16, 31, 32, 0xffffffff, 0x7fffffff, SKF_AD_OFF, SKF_LL_OFF));
        Arbitrary<Integer> jump = Arbitraries.integers().between(0, 8);
        return Combinators.combine(code, jump, jump, k).as(Insn::new);
    }

    /** Any instruction list: the constructor either refuses it with FilterException or the program runs without throwing. */
    @Property(tries = 3000)
    void randomProgramsNeverThrowWhileRunning(@ForAll @Size(min = 1, max = 24) List<@net.jqwik.api.From("anyInstruction") Insn> insns,
                                              @ForAll @Size(max = 80) byte[] packet,
                                              @ForAll @IntRange(min = 0, max = 100) int caplen,
                                              @ForAll int wirelen) {
        int n = insns.size();
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            code[i] = insns.get(i).code();
            jt[i] = insns.get(i).jt();
            jf[i] = insns.get(i).jf();
            k[i] = insns.get(i).k();
        }
        code[n - 1] = (n % 2 == 0) ? RET | RET_A : code[n - 1]; // many end in RET, some do not
        BpfInterpreter interpreter;
        try {
            interpreter = new BpfInterpreter(BpfProgram.of(code, jt, jf, k));
        } catch (FilterException refused) {
            return;
        }
        interpreter.run(MemorySegment.ofArray(packet), 0, caplen, wirelen);
    }

    /** Any packet load at or beyond the captured length ends the program with 0. */
    @Property(tries = 2000)
    void loadsPastCaplenReturnZero(@ForAll @IntRange(min = 0, max = 6) int which,
                                   @ForAll @IntRange(min = 0, max = 64) int caplen,
                                   @ForAll @IntRange(min = 0, max = 0x7fffffff) int k,
                                   @ForAll @IntRange(min = 0, max = 200) int x) throws FilterException {
        int[] loads = {LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND, LDX | B | MSH};
        int[] sizes = {4, 2, 1, 4, 2, 1, 1};
        int code = loads[which];
        boolean indexed = mode(code) == IND;
        long end = (long) k + (indexed ? x : 0) + sizes[which];
        BpfProgram p = new BpfAssembler().insn(LDX | IMM, x).insn(code, k).ret(7).assemble();
        int verdict = new BpfInterpreter(p).run(MemorySegment.ofArray(new byte[64]), 0, caplen, 1000);
        assertEquals(end > caplen ? 0 : 7, verdict);
    }

    /**
     * Random valid programs give exactly the verdict of libpcap's own bpf_filter() on random bytes.
     * Shifts by X are left out: for X >= 32 libpcap gives 0 while the kernel shifts by X mod 32
     * (see shiftByXUsesTheLowFiveBitsLikeTheKernel in BpfInterpreterTest).
     */
    @Property(tries = 3000)
    void randomValidProgramsAgreeWithLibpcapsBpfFilter(@ForAll long seed) throws FilterException {
        java.util.Random r = new java.util.Random(seed);
        BpfProgram p = RandomPrograms.valid(r, 2 + r.nextInt(40), false);
        BpfInterpreter interpreter = new BpfInterpreter(p);
        for (int i = 0; i < 5; i++) {
            byte[] packet = r.nextBoolean() ? Frames.randomFrame(r) : new byte[r.nextInt(90)];
            if (packet.length > 0 && packet[0] == 0) r.nextBytes(packet);
            int caplen = r.nextInt(4) == 0 ? r.nextInt(packet.length + 1) : packet.length;
            int wirelen = r.nextInt(4) == 0 ? r.nextInt() : packet.length;
            int[] code = new int[p.length()], jt = new int[p.length()], jf = new int[p.length()], k = new int[p.length()];
            for (int j = 0; j < p.length(); j++) {
                code[j] = p.code(j);
                jt[j] = p.jt(j);
                jf[j] = p.jf(j);
                k[j] = p.k(j);
            }
            int expected = gulp.linux.LibPcapBpfFilter.run(code, jt, jf, k, packet, caplen, wirelen);
            assertEquals(expected, interpreter.run(MemorySegment.ofArray(packet), 0, caplen, wirelen), p::toString);
        }
    }
}
