package gulp.bench;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Traffic for bench/extract-gen.sh: a classic pcap (little-endian, nanoseconds, Ethernet) of
 * IPv4 TCP/UDP frames between many hosts, with one rare host that appears only in 1 % of the
 * packet time (one burst in the middle), so that rotated files hold it in about 1 % of the files.
 *
 * <pre>
 * java -cp target/test-classes:target/classes gulp.bench.ExtractTrafficGenerator TOTAL_BYTES PACKETS_PER_SECOND RARE_HOST OUT|-
 * </pre>
 * Frames are 64 to 1514 bytes; hosts 10.X.Y.Z (65536 of them); timestamps start at
 * 2026-01-01T00:00:00Z and advance by 1 / PACKETS_PER_SECOND seconds (with a little jitter).
 */
public final class ExtractTrafficGenerator {
    private ExtractTrafficGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ExtractTrafficGenerator TOTAL_BYTES PACKETS_PER_SECOND RARE_HOST OUT|-");
            System.exit(2);
        }
        long total = Long.parseLong(args[0]);
        long perSecond = Long.parseLong(args[1]);
        String[] q = args[2].split("\\.");
        int rare = (Integer.parseInt(q[0]) << 24) | (Integer.parseInt(q[1]) << 16) | (Integer.parseInt(q[2]) << 8) | Integer.parseInt(q[3]);
        OutputStream out = new BufferedOutputStream(args[3].equals("-") ? new FileOutputStream(FileDescriptor.out)
                : new FileOutputStream(args[3]), 1 << 20);
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        out.write(header.array());
        Random random = new Random(42);
        long average = 16 + 400;
        long packets = total / average;
        long burstStart = packets / 2, burstEnd = burstStart + packets / 100;
        long step = 1_000_000_000L / perSecond;
        long t = 1_767_225_600_000_000_000L;
        ByteBuffer record = ByteBuffer.allocate(16 + 1514).order(ByteOrder.LITTLE_ENDIAN);
        long written = 24;
        for (long i = 0; written < total; i++) {
            int length = random.nextInt(10) < 6 ? 64 + random.nextInt(64) : 1000 + random.nextInt(515);
            int source = 0x0A000000 | random.nextInt(1 << 16);
            if (i >= burstStart && i < burstEnd && random.nextInt(20) == 0) {
                source = rare;
            }
            int destination = 0x0A000000 | random.nextInt(1 << 16);
            boolean tcp = random.nextBoolean();
            t += step / 2 + random.nextInt((int) Math.max(1, step));
            record.clear();
            record.putInt((int) (t / 1_000_000_000L)).putInt((int) (t % 1_000_000_000L)).putInt(length).putInt(length);
            record.order(ByteOrder.BIG_ENDIAN);
            record.putInt(0x02000000).putShort((short) 1).putInt(0x02000000).putShort((short) 2).putShort((short) 0x0800);
            record.put((byte) 0x45).put((byte) 0).putShort((short) (length - 14)).putInt(0).put((byte) 64)
                    .put((byte) (tcp ? 6 : 17)).putShort((short) 0).putInt(source).putInt(destination);
            record.putShort((short) (1024 + random.nextInt(60000))).putShort((short) (tcp ? 443 : 53));
            record.put(new byte[length - 38]);
            record.order(ByteOrder.LITTLE_ENDIAN);
            out.write(record.array(), 0, 16 + length);
            written += 16 + length;
        }
        out.close();
    }
}
