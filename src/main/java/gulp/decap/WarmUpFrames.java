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
 * (BENCHMARKS.md §3.0a, {@code -d} row).
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
    private static final int ETHERNET = EthernetHeader.LENGTH;
    private static final int IPV4 = Ipv4Header.MIN_LENGTH;
    private static final int INNER_HEADERS = ETHERNET + IPV4 + UdpHeader.LENGTH;
    /** Where ERSPAN II's GRE sequence number sits in these frames: after outer Ethernet, IPv4 and GRE's flags and protocol. */
    private static final int SEQUENCE_OFFSET = ETHERNET + IPV4 + GreHeader.sequenceOffset(GreHeader.FLAG_SEQUENCE);

    /** Where ERSPAN II's first word (version, session) sits in these frames: after outer Ethernet, IPv4 and GRE with S. */
    private static final int ERSPAN_OFFSET = ETHERNET + IPV4 + GreHeader.length(GreHeader.FLAG_SEQUENCE) + ErspanHeader.WORD0_OFFSET;
    /** ERSPAN II frames of one session before the next session's: a new session's first 64 take other branches. */
    static final int FRAMES_PER_SESSION = 100;

    private static final byte[] OUTER_DESTINATION_MAC = {2, 0x50, 0, 0, 0, 2};
    private static final byte[] OUTER_SOURCE_MAC = {2, 0x50, 0, 0, 0, 1};
    private static final byte[] OUTER_SOURCE_IP = {10, (byte) 250, 77, 1};
    private static final byte[] OUTER_DESTINATION_IP = {10, (byte) 250, 77, 2};
    private static final byte[] INNER_DESTINATION_MAC = {2, 0x51, 0, 0, 0, 2};
    private static final byte[] INNER_SOURCE_MAC = {2, 0x51, 0, 0, 0, 1};
    private static final byte[] INNER_SOURCE_IP = {(byte) 192, 0, 2, 1};
    private static final byte[] INNER_DESTINATION_IP = {(byte) 198, 51, 100, 2};

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
            INT_BE.set(frame, ERSPAN_OFFSET, ErspanHeader.word0(ErspanHeader.VERSION_TYPE_II, 0, session));
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
                frames.add(inner(HeaderWriter.erspanII(gre(length, GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_I_II), 0, 1, 0)));
            }
            frames.add(inner(HeaderWriter.erspanIII(gre(length, 0, GreHeader.PROTOCOL_ERSPAN_III), 1, 0, 0)));
            frames.add(inner(gre(length, 0, GreHeader.PROTOCOL_TRANSPARENT_ETHERNET)));
            frames.add(inner(HeaderWriter.vxlan(udp(length, config.vxlanPort()), 5)));
            frames.add(inner(HeaderWriter.geneve(udp(length, config.genevePort()), 0, EthernetHeader.TYPE_TRANSPARENT_ETHERNET, 5)));
            frames.add(inner(udp(length, 9)));
        }
        return frames;
    }

    /** Outer IPv4 / GRE ({@code flags}, {@code protocol}, sequence number 7 where S is set). */
    private static ByteBuffer gre(int length, int flags, int protocol) {
        return HeaderWriter.gre(outer(length, Ipv4Header.PROTOCOL_GRE), flags, protocol, 0, 7);
    }

    /** Outer IPv4 / UDP to {@code port}. */
    private static ByteBuffer udp(int length, int port) {
        return HeaderWriter.udp(outer(length, Ipv4Header.PROTOCOL_UDP), 40000, port, length - ETHERNET - IPV4);
    }

    private static ByteBuffer outer(int length, int protocol) {
        ByteBuffer b = ByteBuffer.wrap(new byte[length]);
        HeaderWriter.ethernet(b, OUTER_DESTINATION_MAC, OUTER_SOURCE_MAC, EthernetHeader.TYPE_IPV4);
        return HeaderWriter.ipv4(b, 0, 0, 0, 64, protocol, OUTER_SOURCE_IP, OUTER_DESTINATION_IP, 0, length - ETHERNET);
    }

    /** The inner Ethernet / IPv4 / UDP frame filling the rest (or nothing where no room is left). */
    private static byte[] inner(ByteBuffer b) {
        int room = b.remaining();
        if (room >= INNER_HEADERS) {
            HeaderWriter.ethernet(b, INNER_DESTINATION_MAC, INNER_SOURCE_MAC, EthernetHeader.TYPE_IPV4);
            HeaderWriter.ipv4(b, 0, 0, 0, 64, Ipv4Header.PROTOCOL_UDP, INNER_SOURCE_IP, INNER_DESTINATION_IP, 0, room - ETHERNET);
            HeaderWriter.udp(b, 40000, 9, room - ETHERNET - IPV4);
        }
        return b.array();
    }
}
