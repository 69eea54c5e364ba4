package gulp.decap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Encapsulated frames for the JIT warm-up of a live {@code -d} capture (gulp.run.LiveRun.warmUp):
 * the reader's decapsulating path compiled before the traffic arrives. Without them the warm-up
 * compiled only the plain path, and the decapsulator was interpreted and compiled during the first
 * second of traffic, on the reader's CPU, which in mode B is also the receive softirq's
 * (BENCHMARKS.md §3.0, {@code -d} row).
 * <p>
 * One frame of each kind {@code -d} reads, outer Ethernet / IPv4, in a short and a full-sized
 * variant, and a plain UDP frame (the "other" outcome):
 * <pre>
 * ERSPAN II   Ethernet(14) IPv4(20) GRE+S(8, 0x88BE) ERSPAN II(8)  inner Ethernet/IPv4/UDP
 * ERSPAN III  Ethernet(14) IPv4(20) GRE(4, 0x22EB)   ERSPAN III(12) inner Ethernet/IPv4/UDP
 * GRE TEB     Ethernet(14) IPv4(20) GRE(4, 0x6558)                 inner Ethernet/IPv4/UDP
 * VXLAN       Ethernet(14) IPv4(20) UDP(8, the VXLAN port) VXLAN(8) inner Ethernet/IPv4/UDP
 * Geneve      Ethernet(14) IPv4(20) UDP(8, the Geneve port) Geneve(8) inner Ethernet/IPv4/UDP
 * </pre>
 * The checksums are left 0 (the decapsulator does not check them).
 */
public final class WarmUpFrames implements Supplier<byte[]> {
    private static final int ETHERNET = 14;
    private static final int IPV4 = Ipv4Header.MIN_LENGTH;
    private static final int INNER_HEADERS = ETHERNET + IPV4 + UdpHeader.LENGTH;
    /** Where ERSPAN II's GRE sequence number sits in these frames: after outer Ethernet, IPv4 and GRE's flags and protocol. */
    private static final int SEQUENCE_OFFSET = ETHERNET + IPV4 + GreHeader.sequenceOffset(GreHeader.FLAG_SEQUENCE);

    /** Where ERSPAN II's first word (version, session) sits in these frames. */
    private static final int ERSPAN_OFFSET = SEQUENCE_OFFSET + 4;
    /** ERSPAN II frames of one session before the next session's: a new session's first 64 take other branches. */
    static final int FRAMES_PER_SESSION = 100;

    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final List<byte[]> frames;
    private final boolean[] erspanII;
    private final int[] sessions;
    private int next;
    private int sequence;
    private int erspanFrames;

    /** The frames of {@link #frames} in turn, ERSPAN II ones numbered as a mirror session numbers them. */
    public WarmUpFrames(DecapConfig config, int shortLength, int full) {
        this.frames = frames(config, shortLength, full);
        this.erspanII = new boolean[frames.size()];
        for (int i = 0; i < erspanII.length; i++) {
            erspanII[i] = isErspanII(frames.get(i));
        }
        // Plain loops, no streams: their lambdas would be linked on the start-up path.
        int[] given = new int[config.erspanSessions().size()];
        int n = 0;
        for (int session : config.erspanSessions()) {
            given[n++] = session;
        }
        if (n == 0) {
            given = new int[DecapConfig.MAX_ERSPAN_SESSION];
            for (int i = 0; i < given.length; i++) {
                given[i] = i + 1;
            }
        }
        this.sessions = given;
    }

    /**
     * The next frame (the array is reused: copy it before the next call; nothing is allocated).
     * ERSPAN II frames carry consecutive sequence numbers, and every {@value #FRAMES_PER_SESSION} of them a session not
     * seen for a while, as mirror sessions send them: with one number and one session for all, the
     * gap tracker's in-order path and a session's start were never run, and the first real frames
     * deoptimised the compiled decapsulator (-Xlog:jit+compilation: Tunnels.gre and
     * SequenceGapTracker.advance "made not entrant: uncommon trap").
     */
    @Override
    public byte[] get() {
        byte[] frame = frames.get(next);
        if (erspanII[next]) {
            int session = sessions[(erspanFrames++ / FRAMES_PER_SESSION) % sessions.length];
            INT_BE.set(frame, SEQUENCE_OFFSET, ++sequence);
            INT_BE.set(frame, ERSPAN_OFFSET, erspanWord0(ErspanHeader.VERSION_TYPE_II, session));
        }
        next = (next + 1) % frames.size();
        return frame;
    }

    private static boolean isErspanII(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        return b.get(ETHERNET + Ipv4Header.PROTOCOL_OFFSET) == Ipv4Header.PROTOCOL_GRE
                && (b.getShort(ETHERNET + IPV4 + GreHeader.PROTOCOL_OFFSET) & 0xFFFF) == GreHeader.PROTOCOL_ERSPAN_I_II;
    }

    /** The frames, each {@code short} or {@code full} bytes long (full at most 1514), two of each length ERSPAN II. */
    public static List<byte[]> frames(DecapConfig config, int shortLength, int full) {
        List<byte[]> frames = new ArrayList<>();
        for (int length : new int[] {full, shortLength}) {
            for (int i = 0; i < 2; i++) {
                frames.add(gre(length, GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_I_II,
                        erspanWord0(ErspanHeader.VERSION_TYPE_II, 1)));
            }
            frames.add(gre(length, 0, GreHeader.PROTOCOL_ERSPAN_III, erspanWord0(ErspanHeader.VERSION_TYPE_III, 1)));
            frames.add(gre(length, 0, GreHeader.PROTOCOL_TRANSPARENT_ETHERNET, 0));
            frames.add(udp(length, config.vxlanPort(), VxlanHeader.FLAG_VNI_VALID << 24, 5 << 8));
            frames.add(udp(length, config.genevePort(), GreHeader.PROTOCOL_TRANSPARENT_ETHERNET, 5 << 8));
            frames.add(udp(length, 9, 0, 0));
        }
        return frames;
    }

    private static int erspanWord0(int version, int session) {
        return (version << ErspanHeader.VERSION_SHIFT) | session;
    }

    /** Outer IPv4 / GRE ({@code flags}, {@code protocol}); an ERSPAN header when {@code word0} is not 0. */
    private static byte[] gre(int length, int flags, int protocol, int word0) {
        ByteBuffer b = outer(length, Ipv4Header.PROTOCOL_GRE);
        b.putShort((short) flags).putShort((short) protocol);
        if ((flags & GreHeader.FLAG_SEQUENCE) != 0) {
            b.putInt(7);
        }
        if (word0 != 0) {
            b.putInt(word0);
            b.putInt(0); // II: reserved and index; III: the timestamp
            if (ErspanHeader.version(word0) == ErspanHeader.VERSION_TYPE_III) {
                b.putInt(0); // word 2: SGT 0, Ethernet frame, 100 µs granularity, no sub-header
            }
        }
        return inner(b);
    }

    /** Outer IPv4 / UDP to {@code port}, then an 8-byte tunnel header of two words. */
    private static byte[] udp(int length, int port, int word0, int word1) {
        ByteBuffer b = outer(length, Ipv4Header.PROTOCOL_UDP);
        b.putShort((short) 40000).putShort((short) port).putShort((short) (length - ETHERNET - IPV4)).putShort((short) 0);
        if (word0 != 0 || word1 != 0) {
            b.putInt(word0).putInt(word1);
        }
        return inner(b);
    }

    private static ByteBuffer outer(int length, int protocol) {
        ByteBuffer b = ByteBuffer.wrap(new byte[length]);
        b.put(new byte[] {2, 0x50, 0, 0, 0, 2, 2, 0x50, 0, 0, 0, 1}).putShort((short) EthernetHeader.TYPE_IPV4);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (length - ETHERNET)).putInt(0);
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(new byte[] {10, (byte) 250, 77, 1, 10, (byte) 250, 77, 2});
        return b;
    }

    /** The inner Ethernet / IPv4 / UDP frame filling the rest (or nothing where no room is left). */
    private static byte[] inner(ByteBuffer b) {
        int room = b.remaining();
        if (room >= INNER_HEADERS) {
            b.put(new byte[] {2, 0x51, 0, 0, 0, 2, 2, 0x51, 0, 0, 0, 1}).putShort((short) EthernetHeader.TYPE_IPV4);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (room - ETHERNET)).putInt(0);
            b.put((byte) 64).put((byte) Ipv4Header.PROTOCOL_UDP).putShort((short) 0);
            b.put(new byte[] {(byte) 192, 0, 2, 1, (byte) 198, 51, 100, 2});
            b.putShort((short) 40000).putShort((short) 9).putShort((short) (room - ETHERNET - IPV4)).putShort((short) 0);
        }
        return b.array();
    }
}
