package gulp.bench;

import gulp.linux.Libc;
import gulp.linux.MmsgHdr;
import gulp.linux.NativeException;
import gulp.linux.PacketSender;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Traffic generator for bench/capture-bench.sh: sendmmsg(2) batches of 64 frames through an
 * AF_PACKET socket on one interface of the test bed (02:50:..:01 -> 02:50:..:02, IPv4
 * 10.250.77.1 -> 10.250.77.2, UDP 40000 -> 9), the IPv4 id and the first payload word carrying a
 * sequence number. Run it inside the generator namespace; it never sends more than COUNT frames
 * nor for longer than 120 s.
 *
 * <p>With MODE {@code erspan} every frame is ERSPAN type II (remote capture): an untagged IPv4
 * outer header 10.250.77.1 -> 10.250.77.2 with protocol 47, GRE with a sequence number and
 * protocol 0x88BE, the 8-byte ERSPAN II header (version 1, session 1), then an inner Ethernet /
 * IPv4 / UDP frame of FRAME_BYTES - 50 bytes (02:51:..:01 -> 02:51:..:02, 192.0.2.1 ->
 * 198.51.100.2) whose destination port is 53 for one frame in ten and 9 for the rest.
 *
 * <p>With MODE {@code flows} the plain frames go to {@value #FLOWS} UDP destination ports in turn
 * (from {@value #FIRST_FLOW_PORT}): {@value #FLOWS} flows for a hash fanout (bench/fanout-bench.sh).
 *
 * <pre>java -cp target/test-classes:target/classes gulp.bench.LiveSender IFACE FRAME_BYTES COUNT [CPU] [PPS] [MODE]</pre>
 */
public final class LiveSender {
    private static final int BATCH = 64;
    private static final int STRIDE = 2048;
    /** Outer Ethernet (14) + IPv4 (20) + GRE with sequence number (8) + ERSPAN II header (8). */
    private static final int ERSPAN_OUTER = 50;
    /** One inner frame in this many goes to UDP port 53 (what the 10 % inner filter keeps). */
    private static final int DNS_EVERY = 10;
    private static final long MAX_NANOS = 120_000_000_000L;
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static final int FLOWS = 256;
    static final int FIRST_FLOW_PORT = 1024;

    private LiveSender() {
    }

    public static void main(String[] args) throws NativeException {
        if (args.length < 3) {
            System.err.println("usage: LiveSender IFACE FRAME_BYTES COUNT [CPU] [PPS] [plain|erspan|flows]");
            System.exit(2);
        }
        String iface = args[0];
        int length = Integer.parseInt(args[1]);
        long count = Long.parseLong(args[2]);
        int cpu = args.length > 3 ? Integer.parseInt(args[3]) : -1;
        long pps = args.length > 4 ? Long.parseLong(args[4]) : 0;
        boolean erspan = args.length > 5 && args[5].equals("erspan");
        boolean flows = args.length > 5 && args[5].equals("flows");
        if (length < (erspan ? ERSPAN_OUTER + 60 : 60) || length > 1514) {
            throw new IllegalArgumentException("FRAME_BYTES must be " + (erspan ? ERSPAN_OUTER + 60 : 60) + "..1514");
        }
        if (cpu >= 0) {
            Libc.current().pinCurrentThread(cpu);
        }
        try (Arena arena = Arena.ofConfined(); PacketSender sender = PacketSender.open(iface)) {
            MemorySegment frames = arena.allocate((long) STRIDE * BATCH, 4096);
            for (int i = 0; i < BATCH; i++) {
                MemorySegment frame = frames.asSlice((long) i * STRIDE, STRIDE);
                if (erspan) {
                    writeErspanFrame(frame, length);
                } else {
                    writeFrame(frame, length);
                }
            }
            MemorySegment messages = MmsgHdr.vector(arena, frames, STRIDE, length, BATCH);
            long start = System.nanoTime();
            long deadline = start + MAX_NANOS;
            long sent = 0;
            while (sent < count && System.nanoTime() < deadline) {
                int batch = (int) Math.min(BATCH, count - sent);
                for (int i = 0; i < batch; i++) {
                    long frame = (long) i * STRIDE;
                    long sequence = sent + i;
                    frames.set(SHORT_BE, frame + 18, (short) sequence);
                    if (erspan) {
                        frames.set(INT_BE, frame + 38, (int) sequence);                      // GRE sequence
                        frames.set(SHORT_BE, frame + ERSPAN_OUTER + 18, (short) sequence);   // inner IPv4 id
                        frames.set(SHORT_BE, frame + ERSPAN_OUTER + 36, (short) (sequence % DNS_EVERY == 0 ? 53 : 9));
                    } else {
                        frames.set(INT_BE, frame + 42, (int) sequence);
                        if (flows) {
                            frames.set(SHORT_BE, frame + 36, (short) (FIRST_FLOW_PORT + sequence % FLOWS));
                        }
                    }
                }
                sender.sendBatch(messages, batch, deadline);
                sent += batch;
                if (pps > 0) {
                    long due = start + sent * 1_000_000_000L / pps;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "sent %d frames of %d bytes in %.3f s = %.0f pps (%d retries)%n",
                    sent, length, seconds, sent / seconds, sender.retries());
        }
    }

    /** Outer headers, then an inner UDP frame (port set per frame); the IPv4 checksums are left 0. */
    private static void writeErspanFrame(MemorySegment frame, int length) {
        byte[] outer = {
                2, 0x50, 0, 0, 0, 2, 2, 0x50, 0, 0, 0, 1, 0x08, 0x00,
                0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 47, 0, 0, 10, (byte) 250, 77, 1, 10, (byte) 250, 77, 2,
                0x10, 0x00, (byte) 0x88, (byte) 0xBE, 0, 0, 0, 0,          // GRE: S bit, ERSPAN, sequence
                0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0};                     // ERSPAN II: version 1, session 1
        MemorySegment.copy(outer, 0, frame, ValueLayout.JAVA_BYTE, 0, outer.length);
        frame.set(SHORT_BE, 16, (short) (length - 14));
        int inner = length - ERSPAN_OUTER;
        byte[] innerHeader = {
                2, 0x51, 0, 0, 0, 2, 2, 0x51, 0, 0, 0, 1, 0x08, 0x00,
                0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, (byte) 192, 0, 2, 1, (byte) 198, 51, 100, 2,
                (byte) 0x9c, 0x40, 0, 0, 0, 0, 0, 0};
        MemorySegment.copy(innerHeader, 0, frame, ValueLayout.JAVA_BYTE, ERSPAN_OUTER, innerHeader.length);
        frame.set(SHORT_BE, ERSPAN_OUTER + 16, (short) (inner - 14));
        frame.set(SHORT_BE, ERSPAN_OUTER + 38, (short) (inner - 34));
        for (int i = ERSPAN_OUTER + innerHeader.length; i < length; i++) {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
    }

    private static void writeFrame(MemorySegment frame, int length) {
        byte[] header = {
                2, 0x50, 0, 0, 0, 2, 2, 0x50, 0, 0, 0, 1, 0x08, 0x00,
                0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, (byte) 250, 77, 1, 10, (byte) 250, 77, 2,
                (byte) 0x9c, 0x40, 0, 9, 0, 0, 0, 0};
        MemorySegment.copy(header, 0, frame, ValueLayout.JAVA_BYTE, 0, header.length);
        frame.set(SHORT_BE, 16, (short) (length - 14));
        frame.set(SHORT_BE, 38, (short) (length - 34));
        for (int i = header.length; i < length; i++) {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
    }
}
