package gulp.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A small, independent reader of classic little-endian pcap files for tests: visits each record
 * and reports whether the file ends cleanly.
 */
public final class PcapFile {
    /** Called per record; {@code data} holds the captured bytes at {@code offset}. */
    @FunctionalInterface
    public interface Visitor {
        void record(long seconds, long fraction, int caplen, int wirelen, byte[] data, int offset);
    }

    public record Summary(int magic, int snaplen, int linkType, long records, long trailingBytes) {
        public boolean cleanEnd() {
            return trailingBytes == 0;
        }
    }

    private PcapFile() {
    }

    public static Summary read(Path file, Visitor visitor) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 24) {
                return new Summary(0, 0, 0, 0, size);
            }
            int magic = map.getInt(0);
            int snaplen = map.getInt(16);
            int linkType = map.getInt(20);
            long position = 24;
            long records = 0;
            byte[] data = new byte[1 << 20];
            while (position + 16 <= size) {
                int p = (int) position;
                int caplen = map.getInt(p + 8);
                if (caplen < 0 || caplen > data.length || position + 16 + caplen > size) {
                    break;
                }
                map.get(p + 16, data, 0, caplen);
                visitor.record(map.getInt(p) & 0xFFFFFFFFL, map.getInt(p + 4) & 0xFFFFFFFFL, caplen, map.getInt(p + 12), data, 0);
                position += 16 + caplen;
                records++;
            }
            return new Summary(magic, snaplen, linkType, records, size - position);
        }
    }
}
