package gulp.filter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny classic-pcap reader and writer for tests (the product's reader lives in gulp.capture). */
final class TestPcap {
    private TestPcap() {}

    record Frame(byte[] data, int wireLength) {}

    static List<Frame> read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = buf.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            buf.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            buf.order(ByteOrder.BIG_ENDIAN);
            int be = buf.getInt(0);
            if (be != 0xa1b2c3d4 && be != 0xa1b23c4d) throw new IOException(file + ": not a classic pcap file");
        }
        buf.position(24);
        List<Frame> frames = new ArrayList<>();
        while (buf.remaining() >= 16) {
            buf.getInt();
            buf.getInt();
            int caplen = buf.getInt();
            int wirelen = buf.getInt();
            if (caplen > buf.remaining()) break;
            byte[] data = new byte[caplen];
            buf.get(data);
            frames.add(new Frame(data, wirelen));
        }
        return frames;
    }

    static void write(Path file, List<Frame> frames) throws IOException {
        int size = 24;
        for (Frame f : frames) size += 16 + f.data().length;
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        int second = 1; // frame number, so tcpdump -tt output names frames
        for (Frame f : frames) {
            buf.putInt(second++).putInt(0).putInt(f.data().length).putInt(f.wireLength()).put(f.data());
        }
        Files.write(file, buf.array());
    }
}
