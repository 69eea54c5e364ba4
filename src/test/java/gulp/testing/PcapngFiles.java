package gulp.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A small independent pcapng reader (little-endian files as gulp writes them) and writer for tests. */
public final class PcapngFiles {
    public static final int SHB = 0x0A0D0D0A;
    public static final int IDB = 1;
    public static final int ISB = 5;
    public static final int EPB = 6;

    private PcapngFiles() {
    }

    /** One block: its type, its body (between the lengths) and its options (code → raw values). */
    public record Block(int type, byte[] body, Map<Integer, List<byte[]>> options) {
        public int intAt(int bodyOffset) {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).getInt(bodyOffset);
        }

        public String string(int code) {
            List<byte[]> values = options.get(code);
            return values == null ? null : new String(values.get(0), StandardCharsets.UTF_8);
        }

        public long count(int code) {
            List<byte[]> values = options.get(code);
            return values == null ? -1 : ByteBuffer.wrap(values.get(0)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }

        public int int32(int code) {
            List<byte[]> values = options.get(code);
            return values == null ? 0 : ByteBuffer.wrap(values.get(0)).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
    }

    /** Every block of {@code file}; fails on a block that does not frame properly. */
    public static List<Block> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Block> blocks = new ArrayList<>();
        while (b.remaining() >= 12) {
            int start = b.position();
            int type = b.getInt(start);
            int length = b.getInt(start + 4);
            if (length < 12 || (length & 3) != 0 || start + length > b.limit() || b.getInt(start + length - 4) != length) {
                throw new IllegalStateException("bad block at " + start + " in " + file);
            }
            byte[] body = new byte[length - 12];
            b.get(start + 8, body);
            blocks.add(new Block(type, body, options(type, body)));
            b.position(start + length);
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException(b.remaining() + " bytes after the last block of " + file);
        }
        return blocks;
    }

    private static Map<Integer, List<byte[]>> options(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        int at = switch (type) {
            case SHB -> 16;
            case IDB -> 8;
            case ISB -> 12;
            case EPB -> 20 + ((b.getInt(12) + 3) & ~3);
            default -> body.length;
        };
        Map<Integer, List<byte[]>> options = new HashMap<>();
        while (at + 4 <= body.length) {
            int code = Short.toUnsignedInt(b.getShort(at));
            int length = Short.toUnsignedInt(b.getShort(at + 2));
            if (code == 0) {
                break;
            }
            byte[] value = new byte[length];
            b.get(at + 4, value);
            options.computeIfAbsent(code, c -> new ArrayList<>()).add(value);
            at += 4 + ((length + 3) & ~3);
        }
        return options;
    }

    public static List<Block> ofType(List<Block> blocks, int type) {
        return blocks.stream().filter(b -> b.type() == type).toList();
    }

    /** A little-endian block of {@code type} around {@code body} (padded to 32 bits). */
    public static byte[] block(int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(12 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(12 + padded).put(body).position(8 + padded);
        b.putInt(12 + padded);
        return b.array();
    }

    public static byte[] sectionHeader() {
        return block(SHB, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array());
    }

    /** An interface description without options (microseconds). */
    public static byte[] interfaceDescription(int linkType, int snaplen) {
        return block(IDB, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(linkType).putInt(snaplen).array());
    }

    /** An enhanced packet of interface {@code id} (microsecond timestamp). */
    public static byte[] enhancedPacket(int id, long micros, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + ((data.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id).putInt((int) (micros >>> 32)).putInt((int) micros).putInt(data.length).putInt(data.length).put(data);
        return block(EPB, b.array());
    }
}
