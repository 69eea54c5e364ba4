package gulp.bench;

import gulp.testing.Frames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes a large classic pcap (little-endian, microseconds, Ethernet) for bench/pipe-bench.sh.
 *
 * <pre>
 * java -cp target/test-classes:target/classes gulp.bench.PcapGenerator KIND FRAME_BYTES TOTAL_BYTES OUT
 *   KIND    plain   Ethernet/IPv4/UDP frames of FRAME_BYTES with random payloads
 *           erspan  remote-capture mix, in turn: ERSPAN II, ERSPAN III (both GRE with sequence
 *                   numbers that advance per packet) and VXLAN, each FRAME_BYTES on the wire
 *                   around an inner Ethernet/IPv4/TCP frame
 *           flows   many hosts (the extraction index's costly case, issue 13): Ethernet frames of
 *                   FRAME_BYTES (at least 58) in flows of 1 to 15 packets, 16 flows interleaved,
 *                   each between two of 65 536 hosts (10.0.0.0/16; the index's address set becomes
 *                   its Bloom filter), TCP or UDP, random ports, one flow in ten over IPv6
 * </pre>
 * Records are written until the file reaches TOTAL_BYTES (rounded up to whole records);
 * timestamps advance by one microsecond per record.
 */
public final class PcapGenerator {
    private static final int DISTINCT_FRAMES = 255; // a multiple of 3: frame i has kind i % 3
    /** Ethernet 14 + IPv4 20 + GRE flags/protocol 4: where the GRE sequence number sits. */
    private static final int GRE_SEQUENCE_OFFSET = 38;

    private PcapGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: PcapGenerator plain|erspan|flows FRAME_BYTES TOTAL_BYTES OUT");
            System.exit(2);
        }
        String kind = args[0];
        int frameBytes = Integer.parseInt(args[1]);
        long totalBytes = Long.parseLong(args[2]);
        if (kind.equals("flows")) {
            long records = write(Path.of(args[3]), new Flows(frameBytes), totalBytes);
            System.err.println("wrote " + records + " records to " + args[3]);
            return;
        }
        byte[][] frames = switch (kind) {
            case "plain" -> plainFrames(frameBytes);
            case "erspan" -> encapsulatedFrames(frameBytes);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        boolean sequenced = kind.equals("erspan");
        long records = write(Path.of(args[3]), frames, totalBytes, sequenced);
        System.err.println("wrote " + records + " records to " + args[3]);
    }

    private static byte[][] plainFrames(int frameBytes) {
        int payload = frameBytes - 14 - 20 - 8;
        if (payload < 0) {
            throw new IllegalArgumentException("plain frames need at least 42 bytes");
        }
        Random random = new Random(1);
        byte[][] frames = new byte[DISTINCT_FRAMES][];
        for (int i = 0; i < frames.length; i++) {
            byte[] data = new byte[payload];
            random.nextBytes(data);
            frames[i] = Frames.ethernet(0x0800, Frames.ipv4(17, Frames.udp(9, data), 0));
        }
        return frames;
    }

    /** ERSPAN II, ERSPAN III, VXLAN in turn, each {@code frameBytes} long on the wire. */
    private static byte[][] encapsulatedFrames(int frameBytes) {
        byte[][] frames = new byte[DISTINCT_FRAMES][];
        int erspan2Overhead = 14 + 20 + 8 + 8;
        int erspan3Overhead = 14 + 20 + 8 + 12;
        int vxlanOverhead = 14 + 20 + 8 + 8;
        int innerHeaders = 14 + 20 + 20;
        if (frameBytes < erspan3Overhead + innerHeaders) {
            throw new IllegalArgumentException("encapsulated frames need at least " + (erspan3Overhead + innerHeaders) + " bytes");
        }
        for (int i = 0; i < frames.length; i++) {
            frames[i] = switch (i % 3) {
                case 0 -> Frames.ethernet(0x0800, Frames.ipv4(47,
                        Frames.erspanII(7, 0, Frames.innerFrame(frameBytes - erspan2Overhead - innerHeaders)), 0));
                case 1 -> Frames.ethernet(0x0800, Frames.ipv4(47,
                        Frames.erspanIII(8, 0, 0, 0, null, Frames.innerFrame(frameBytes - erspan3Overhead - innerHeaders)), 0));
                default -> Frames.ethernet(0x0800, Frames.ipv4(17,
                        Frames.vxlan(100, Frames.innerFrame(frameBytes - vxlanOverhead - innerHeaders)), 0));
            };
        }
        return frames;
    }

    /** The frame of record {@code record}; may reuse one array (it is copied out before the next call). */
    private interface FrameSource {
        byte[] frame(long record);
    }

    /** The {@code flows} kind: see the class comment. */
    private static final class Flows implements FrameSource {
        private static final int HOSTS = 65_536;
        private final Random random = new Random(1);
        private final int[][] flows = new int[16][];
        private final byte[] v4;
        private final byte[] v6;

        Flows(int frameBytes) {
            if (frameBytes < 58) {
                throw new IllegalArgumentException("flows frames need at least 58 bytes");
            }
            v4 = Frames.ethernet(0x0800, Frames.ipv4(17, Frames.udp(9, new byte[frameBytes - 14 - 20 - 8]), 0));
            v6 = Frames.ethernet(0x86DD, Frames.ipv6(17, Frames.udp(9, new byte[frameBytes - 14 - 40 - 8]), false));
        }

        @Override
        public byte[] frame(long record) {
            int which = random.nextInt(flows.length);
            int[] f = flows[which];
            if (f == null || f[5] == 0) { // source, destination, ports, protocol, IPv6, packets left
                f = flows[which] = new int[] {random.nextInt(HOSTS), random.nextInt(HOSTS), random.nextInt(),
                        random.nextBoolean() ? 6 : 17, random.nextInt(10) == 0 ? 1 : 0, 1 + random.nextInt(15)};
            }
            f[5]--;
            ByteBuffer b;
            if (f[4] == 1) {
                b = ByteBuffer.wrap(v6);
                b.put(14 + 6, (byte) f[3]).putInt(14 + 8 + 12, 0x0A000000 | f[0]).putInt(14 + 24 + 12, 0x0A000000 | f[1])
                        .putInt(14 + 40, f[2]);
                return v6;
            }
            b = ByteBuffer.wrap(v4);
            b.put(14 + 9, (byte) f[3]).putInt(14 + 12, 0x0A000000 | f[0]).putInt(14 + 16, 0x0A000000 | f[1])
                    .putInt(14 + 20, f[2]);
            return v4;
        }
    }

    private static long write(Path out, byte[][] frames, long totalBytes, boolean sequenced) throws IOException {
        return write(out, record -> {
            byte[] frame = frames[(int) (record % frames.length)];
            if (sequenced && record % 3 != 2) {
                // GRE sequence numbers advance per ERSPAN session, as a mirroring switch sends them.
                ByteBuffer.wrap(frame).putInt(GRE_SEQUENCE_OFFSET, SEQUENCES[(int) (record % 3)]++);
            }
            return frame;
        }, totalBytes);
    }

    private static final int[] SEQUENCES = new int[3];

    private static long write(Path out, FrameSource frames, long totalBytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262_144).putInt(1);
        long written = 24;
        long records = 0;
        long micros = 1_764_000_000_000_000L;
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (written < totalBytes) {
                byte[] frame = frames.frame(records);
                if (buffer.remaining() < 16 + frame.length) {
                    flush(channel, buffer);
                }
                buffer.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                        .putInt(frame.length).putInt(frame.length).put(frame);
                written += 16 + frame.length;
                records++;
                micros++;
            }
            flush(channel, buffer);
        }
        return records;
    }

    private static void flush(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
