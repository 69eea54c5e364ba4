package gulp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side classic pcap reading and writing, deliberately independent of the product code (tests
 * cross-check the product against tcpdump/tshark, and this only builds inputs and reads outputs).
 */
public final class PcapFiles {
    public static final Path ZEEK = Path.of("..", "shared", "testdata", "zeek");

    private PcapFiles() {
    }

    /** One record: timestamp split as in the file, lengths and data. */
    public record Record(long seconds, long fraction, int wirelen, byte[] data) {
    }

    /** A parsed classic pcap file. */
    public record Capture(boolean nanosecond, boolean bigEndian, int snaplen, int linkType, List<Record> records) {
    }

    public static Capture read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    public static Capture parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        boolean bigEndian = false;
        boolean nano;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            nano = magic == 0xa1b23c4d;
        } else {
            bigEndian = true;
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IllegalArgumentException("not a pcap file");
            }
            nano = magic == 0xa1b23c4d;
        }
        int snaplen = b.getInt(16);
        int linkType = b.getInt(20);
        List<Record> records = new ArrayList<>();
        int at = 24;
        while (at + 16 <= bytes.length) {
            long seconds = b.getInt(at) & 0xFFFFFFFFL;
            long fraction = b.getInt(at + 4) & 0xFFFFFFFFL;
            int caplen = b.getInt(at + 8);
            int wirelen = b.getInt(at + 12);
            if (at + 16 + caplen > bytes.length) {
                throw new IllegalArgumentException("truncated record at " + at);
            }
            byte[] data = new byte[caplen];
            System.arraycopy(bytes, at + 16, data, 0, caplen);
            records.add(new Record(seconds, fraction, wirelen, data));
            at += 16 + caplen;
        }
        if (at != bytes.length) {
            throw new IllegalArgumentException("trailing bytes after the last record");
        }
        return new Capture(nano, bigEndian, snaplen, linkType, records);
    }

    public static byte[] write(Capture capture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteOrder order = capture.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(capture.nanosecond() ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(capture.snaplen()).putInt(capture.linkType());
        out.writeBytes(h.array());
        for (Record r : capture.records()) {
            ByteBuffer rh = ByteBuffer.allocate(16).order(order);
            rh.putInt((int) r.seconds()).putInt((int) r.fraction()).putInt(r.data().length).putInt(r.wirelen());
            out.writeBytes(rh.array());
            out.writeBytes(r.data());
        }
        return out.toByteArray();
    }

    /** Every pcap in the shared Zeek test data. */
    public static List<Path> zeekFiles() throws IOException {
        try (var stream = Files.list(ZEEK)) {
            return stream.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
    }
}
