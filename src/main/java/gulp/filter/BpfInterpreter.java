package gulp.filter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static gulp.filter.Bpf.*;
import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.SHORT_BE;

/**
 * Runs a classic BPF program over one packet with the semantics of the Linux socket filter and
 * libpcap's bpf_filter(): unsigned 32-bit arithmetic, a load past the captured bytes ends the
 * program with 0, division or modulo by a zero X returns 0, {@code ld len} gives the wire
 * length. The result is the filter's verdict: how many bytes to keep (unsigned; 0 = drop).
 *
 * <p>{@link #forLiveFrames} also runs what libpcap compiles for a live Linux handle: the kernel's
 * ancillary loads ({@code ld [SKF_AD_OFF + n]}) of the VLAN tag the kernel removed from the frame
 * and of the packet type (direction), answered from the per-packet metadata the caller passes, as
 * the kernel answers them from the socket buffer.
 *
 * <p>Not thread safe (it owns the scratch memory M[]); use one instance per thread. {@link #run}
 * allocates nothing and never throws for a program this constructor accepted.
 */
public final class BpfInterpreter {
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final long U32 = 0xffffffffL;

    /** {@code vlanTag} when the kernel removed no tag (as {@code PacketHandler.NO_VLAN_TAG}). */
    public static final int NO_VLAN_TAG = -1;
    /** Ancillary loads (linux/filter.h, offsets from SKF_AD_OFF) that {@link #forLiveFrames} answers. */
    public static final int SKF_AD_PKTTYPE = 4, SKF_AD_VLAN_TAG = 44, SKF_AD_VLAN_TAG_PRESENT = 48, SKF_AD_VLAN_TPID = 60;

    private final BpfProgram program;
    private final int[] code, jt, jf, k;
    private final int[] mem = new int[MEMWORDS];

    /**
     * Accepts a program the kernel would accept ({@link BpfProgram#validate()}) that has no Linux
     * ancillary or negative-offset loads (k at or above SKF_LL_OFF), as for capture files and
     * decapsulated frames, where no kernel metadata exists.
     */
    public BpfInterpreter(BpfProgram program) throws FilterException {
        this(program, false);
    }

    private BpfInterpreter(BpfProgram program, boolean liveMetadata) throws FilterException {
        program.validate();
        refuseAncillaryLoads(program, liveMetadata);
        this.program = program;
        this.code = program.codes();
        this.jt = program.jts();
        this.jf = program.jfs();
        this.k = program.ks();
    }

    /**
     * For frames of a live capture, with their metadata ({@link #run(MemorySegment, long, int, int,
     * int, int)}): also accepts the ancillary loads libpcap generates for live Linux handles (VLAN
     * tag, its presence and TPID, packet type); other Linux-only loads are still refused.
     */
    public static BpfInterpreter forLiveFrames(BpfProgram program) throws FilterException {
        return new BpfInterpreter(program, true);
    }

    static void refuseAncillaryLoads(BpfProgram program, boolean liveMetadata) throws FilterException {
        for (int pc = 0; pc < program.length(); pc++) {
            int c = program.code(pc), kk = program.k(pc);
            if (isPacketLoad(c) && Integer.compareUnsigned(kk, SKF_LL_OFF) >= 0
                    && !(liveMetadata && cls(c) == LD && mode(c) == ABS && isAnsweredAncillary(kk))) {
                throw new FilterException("BPF instruction " + pc + " is a Linux ancillary load (k=0x"
                        + Integer.toHexString(kk) + "); only plain packet loads are supported"
                        + (liveMetadata ? ", and the VLAN tag and packet type of live frames" : ""));
            }
        }
    }

    private static boolean isAnsweredAncillary(int k) {
        int n = k - SKF_AD_OFF;
        return Integer.compareUnsigned(k, SKF_AD_OFF) >= 0
                && (n == SKF_AD_PKTTYPE || n == SKF_AD_VLAN_TAG || n == SKF_AD_VLAN_TAG_PRESENT || n == SKF_AD_VLAN_TPID);
    }

    /** What the kernel answers for ancillary load {@code k} (validated), from the packet's metadata. */
    private static int ancillary(int k, int vlanTag, int packetType) {
        boolean tagged = vlanTag != NO_VLAN_TAG;
        return switch (k - SKF_AD_OFF) {
            case SKF_AD_PKTTYPE -> Math.max(packetType, 0);
            case SKF_AD_VLAN_TAG -> tagged ? vlanTag & 0xFFFF : 0;
            case SKF_AD_VLAN_TAG_PRESENT -> tagged ? 1 : 0;
            default -> tagged ? vlanTag >>> 16 : 0; // SKF_AD_VLAN_TPID
        };
    }

    public BpfProgram program() { return program; }

    /** True when the verdict keeps the packet. */
    public boolean matches(MemorySegment pkt, long offset, int caplen, int wirelen) {
        return run(pkt, offset, caplen, wirelen) != 0;
    }

    /**
     * The verdict for the packet whose captured bytes are {@code pkt[offset, offset+caplen)}
     * ({@code caplen} is clipped to the segment) and whose length on the wire was {@code wirelen}.
     * Returns an unsigned 32-bit count of bytes to keep; 0 means drop.
     */
    public int run(MemorySegment pkt, long offset, int caplen, int wirelen) {
        return run(pkt, offset, caplen, wirelen, NO_VLAN_TAG, 0);
    }

    /** True when the verdict keeps the live frame with this metadata (see {@link #run(MemorySegment, long, int, int, int, int)}). */
    public boolean matches(MemorySegment pkt, long offset, int caplen, int wirelen, int vlanTag, int packetType) {
        return run(pkt, offset, caplen, wirelen, vlanTag, packetType) != 0;
    }

    /**
     * As {@link #run(MemorySegment, long, int, int)}, with the metadata the kernel keeps beside a
     * live frame: {@code vlanTag} = {@code tpid << 16 | tci} of the outer tag it removed, or
     * {@link #NO_VLAN_TAG}; {@code packetType} = its sll_pkttype (0 when unknown). Only
     * {@link #forLiveFrames} programs read them.
     */
    public int run(MemorySegment pkt, long offset, int caplen, int wirelen, int vlanTag, int packetType) {
        long avail = pkt.byteSize() - offset;
        long buflen = offset < 0 || caplen < 0 ? 0 : Math.min(caplen, avail);
        if (buflen < 0) buflen = 0;
        final int[] code = this.code, jt = this.jt, jf = this.jf, k = this.k, mem = this.mem;
        int a = 0, x = 0, pc = 0;
        while (true) {
            final int kk = k[pc];
            switch (code[pc]) {
                case RET | K: return kk;
                case RET | RET_A: return a;

                case LD | W | ABS: {
                    long at = kk & U32;
                    if (at + 4 > buflen) {
                        if (Integer.compareUnsigned(kk, SKF_AD_OFF) < 0) return 0;
                        a = ancillary(kk, vlanTag, packetType); // only forLiveFrames programs get here
                        pc++;
                        break;
                    }
                    a = pkt.get(INT_BE, offset + at);
                    pc++;
                    break;
                }
                case LD | H | ABS: {
                    long at = kk & U32;
                    if (at + 2 > buflen) {
                        if (Integer.compareUnsigned(kk, SKF_AD_OFF) < 0) return 0;
                        a = ancillary(kk, vlanTag, packetType);
                        pc++;
                        break;
                    }
                    a = Short.toUnsignedInt(pkt.get(SHORT_BE, offset + at));
                    pc++;
                    break;
                }
                case LD | B | ABS: {
                    long at = kk & U32;
                    if (at + 1 > buflen) {
                        if (Integer.compareUnsigned(kk, SKF_AD_OFF) < 0) return 0;
                        a = ancillary(kk, vlanTag, packetType);
                        pc++;
                        break;
                    }
                    a = Byte.toUnsignedInt(pkt.get(BYTE, offset + at));
                    pc++;
                    break;
                }
                case LD | W | IND: {
                    long at = (kk & U32) + (x & U32);
                    if (at + 4 > buflen) return 0;
                    a = pkt.get(INT_BE, offset + at);
                    pc++;
                    break;
                }
                case LD | H | IND: {
                    long at = (kk & U32) + (x & U32);
                    if (at + 2 > buflen) return 0;
                    a = Short.toUnsignedInt(pkt.get(SHORT_BE, offset + at));
                    pc++;
                    break;
                }
                case LD | B | IND: {
                    long at = (kk & U32) + (x & U32);
                    if (at + 1 > buflen) return 0;
                    a = Byte.toUnsignedInt(pkt.get(BYTE, offset + at));
                    pc++;
                    break;
                }
                case LDX | B | MSH: {
                    long at = kk & U32;
                    if (at + 1 > buflen) return 0;
                    x = (pkt.get(BYTE, offset + at) & 0xf) << 2;
                    pc++;
                    break;
                }
                case LD | W | LEN: a = wirelen; pc++; break;
                case LDX | W | LEN: x = wirelen; pc++; break;
                case LD | IMM: a = kk; pc++; break;
                case LDX | IMM: x = kk; pc++; break;
                case LD | MEM: a = mem[kk]; pc++; break;
                case LDX | MEM: x = mem[kk]; pc++; break;
                case ST: mem[kk] = a; pc++; break;
                case STX: mem[kk] = x; pc++; break;

                case JMP | JA: pc += 1 + kk; break;
                case JMP | JEQ | K: pc += 1 + (a == kk ? jt[pc] : jf[pc]); break;
                case JMP | JEQ | X: pc += 1 + (a == x ? jt[pc] : jf[pc]); break;
                case JMP | JGT | K: pc += 1 + (Integer.compareUnsigned(a, kk) > 0 ? jt[pc] : jf[pc]); break;
                case JMP | JGT | X: pc += 1 + (Integer.compareUnsigned(a, x) > 0 ? jt[pc] : jf[pc]); break;
                case JMP | JGE | K: pc += 1 + (Integer.compareUnsigned(a, kk) >= 0 ? jt[pc] : jf[pc]); break;
                case JMP | JGE | X: pc += 1 + (Integer.compareUnsigned(a, x) >= 0 ? jt[pc] : jf[pc]); break;
                case JMP | JSET | K: pc += 1 + ((a & kk) != 0 ? jt[pc] : jf[pc]); break;
                case JMP | JSET | X: pc += 1 + ((a & x) != 0 ? jt[pc] : jf[pc]); break;

                case ALU | ADD | K: a += kk; pc++; break;
                case ALU | ADD | X: a += x; pc++; break;
                case ALU | SUB | K: a -= kk; pc++; break;
                case ALU | SUB | X: a -= x; pc++; break;
                case ALU | MUL | K: a *= kk; pc++; break;
                case ALU | MUL | X: a *= x; pc++; break;
                case ALU | DIV | K: a = Integer.divideUnsigned(a, kk); pc++; break;
                case ALU | DIV | X: if (x == 0) return 0; a = Integer.divideUnsigned(a, x); pc++; break;
                case ALU | MOD | K: a = Integer.remainderUnsigned(a, kk); pc++; break;
                case ALU | MOD | X: if (x == 0) return 0; a = Integer.remainderUnsigned(a, x); pc++; break;
                case ALU | AND | K: a &= kk; pc++; break;
                case ALU | AND | X: a &= x; pc++; break;
                case ALU | OR | K: a |= kk; pc++; break;
                case ALU | OR | X: a |= x; pc++; break;
                case ALU | XOR | K: a ^= kk; pc++; break;
                case ALU | XOR | X: a ^= x; pc++; break;
                // K shifts are < 32 (validated); X shifts use the low 5 bits like x86 and the kernel JITs.
                case ALU | LSH | K: a <<= kk; pc++; break;
                case ALU | LSH | X: a <<= x; pc++; break;
                case ALU | RSH | K: a >>>= kk; pc++; break;
                case ALU | RSH | X: a >>>= x; pc++; break;
                case ALU | NEG: a = -a; pc++; break;

                case MISC | TAX: x = a; pc++; break;
                case MISC | TXA: a = x; pc++; break;
                default: return 0; // unreachable: the constructor validated every opcode
            }
        }
    }
}
