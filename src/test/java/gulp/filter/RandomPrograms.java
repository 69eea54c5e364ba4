package gulp.filter;

import java.util.Random;

import static gulp.filter.Bpf.*;

/** Random classic BPF programs the kernel would accept (no scratch reads, forward jumps, ends in RET). */
final class RandomPrograms {
    private RandomPrograms() {}

    private static final int[] STRAIGHT = {
            LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND, LDX | B | MSH,
            LD | W | LEN, LDX | W | LEN, LD | IMM, LDX | IMM, ST, STX, MISC | TAX, MISC | TXA, ALU | NEG,
            ALU | ADD | K, ALU | ADD | X, ALU | SUB | K, ALU | SUB | X, ALU | MUL | K, ALU | MUL | X,
            ALU | DIV | K, ALU | DIV | X, ALU | MOD | K, ALU | MOD | X, ALU | AND | K, ALU | AND | X,
            ALU | OR | K, ALU | OR | X, ALU | XOR | K, ALU | XOR | X, ALU | LSH | K, ALU | LSH | X,
            ALU | RSH | K, ALU | RSH | X};
    private static final int[] JUMPS = {
            JMP | JEQ | K, JMP | JEQ | X, JMP | JGT | K, JMP | JGT | X, JMP | JGE | K, JMP | JGE | X,
            JMP | JSET | K, JMP | JSET | X};

    static BpfProgram valid(Random r, int n) {
        return valid(r, n, true);
    }

    /**
     * @param shiftsByX whether to use {@code lsh x}/{@code rsh x}: for X >= 32 the kernel (and this
     *                  interpreter) shift by X mod 32, libpcap 1.10's bpf_filter() gives 0
     */
    static BpfProgram valid(Random r, int n, boolean shiftsByX) {
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n - 1; i++) {
            int remaining = n - 2 - i;   // furthest forward distance that stays in the program
            int kind = r.nextInt(10);
            if (kind < 2) {
                code[i] = JUMPS[r.nextInt(JUMPS.length)];
                jt[i] = r.nextInt(Math.min(remaining, 255) + 1);
                jf[i] = r.nextInt(Math.min(remaining, 255) + 1);
                k[i] = r.nextBoolean() ? r.nextInt(256) : r.nextInt();
            } else if (kind == 2 && remaining > 0) {
                code[i] = JMP | JA;
                k[i] = r.nextInt(remaining + 1);
            } else if (kind == 3 && r.nextInt(4) == 0) {
                code[i] = r.nextBoolean() ? RET | K : RET | RET_A;
                k[i] = r.nextInt(3) == 0 ? 0 : r.nextInt(0x10000);
            } else {
                do {
                    code[i] = STRAIGHT[r.nextInt(STRAIGHT.length)];
                } while (!shiftsByX && (code[i] == (ALU | LSH | X) || code[i] == (ALU | RSH | X)));
                k[i] = switch (code[i]) {
                    case ST, STX -> r.nextInt(MEMWORDS);
                    case ALU | DIV | K, ALU | MOD | K -> 1 + r.nextInt(20);
                    case ALU | LSH | K, ALU | RSH | K -> r.nextInt(32);
                    case LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND,
                         LDX | B | MSH -> r.nextInt(80);
                    default -> r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(64);
                };
            }
        }
        code[n - 1] = r.nextBoolean() ? RET | RET_A : RET | K;
        k[n - 1] = r.nextInt(3) == 0 ? 0 : r.nextInt(0x10000);
        return BpfProgram.of(code, jt, jf, k);
    }
}
