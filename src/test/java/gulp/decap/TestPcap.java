package gulp.decap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny classic-pcap reader and writer for tests (the product's reader lives in gulp.capture). */
final class TestPcap {
    record Frame(long tsNanos, int caplen, int wirelen, byte[] data) {}

    private TestPcap() {}

    static List<Frame> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D) throw new IOException(file + ": not a classic pcap");
        }
        nanos = magic == 0xA1B23C4D;
        int linkType = b.getInt(20);
        if (linkType != 1) throw new IOException(file + ": link type " + linkType + ", expected Ethernet");
        b.position(24);
        List<Frame> frames = new ArrayList<>();
        while (b.remaining() >= 16) {
            long seconds = b.getInt() & 0xFFFF_FFFFL;
            long fraction = b.getInt() & 0xFFFF_FFFFL;
            int caplen = b.getInt();
            int wirelen = b.getInt();
            if (caplen < 0 || caplen > b.remaining()) throw new IOException(file + ": truncated record");
            byte[] data = new byte[caplen];
            b.get(data);
            frames.add(new Frame(seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000), caplen, wirelen, data));
        }
        return frames;
    }

    /** Writes nanosecond-resolution pcap, LINKTYPE_ETHERNET. */
    static void write(Path file, List<Frame> frames) throws IOException {
        int size = 24;
        for (Frame f : frames) size += 16 + f.data().length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        for (Frame f : frames) {
            b.putInt((int) (f.tsNanos() / 1_000_000_000L)).putInt((int) (f.tsNanos() % 1_000_000_000L));
            b.putInt(f.data().length).putInt(f.wirelen()).put(f.data());
        }
        Files.write(file, b.array());
    }
}
