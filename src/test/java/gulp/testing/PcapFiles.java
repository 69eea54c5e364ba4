package gulp.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The tests' one classic pcap reader and writer, deliberately independent of the product code
 * (tests cross-check the product against tcpdump/tshark; this only builds inputs and reads outputs).
 * Three views of a file: {@link Capture} (header and raw records, strict), {@link Frame} (what the
 * product sees: nanosecond timestamp, wire length, bytes), and {@link #visit} (whole records of a
 * file that may still be growing).
 */
public final class PcapFiles {
    public static final Path ZEEK = Path.of("src", "test", "resources", "captures", "zeek");
    public static final int HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int LINKTYPE_ETHERNET = 1;
    private static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    private static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    private static final int LARGEST_RECORD = 1 << 20;

    private PcapFiles() {
    }

    /** One record as in the file: timestamp split as in the file, lengths and data. */
    public record Record(long seconds, long fraction, int wirelen, byte[] data) {
    }

    /** A parsed classic pcap file. */
    public record Capture(boolean nanosecond, boolean bigEndian, int snaplen, int linkType, List<Record> records) {
        /** The records with their timestamps in nanoseconds. */
        public List<Frame> frames() {
            List<Frame> frames = new ArrayList<>(records.size());
            for (Record r : records) {
                frames.add(new Frame(r.seconds() * 1_000_000_000L + (nanosecond ? r.fraction() : r.fraction() * 1000), r.wirelen(), r.data()));
            }
            return frames;
        }
    }

    /** A frame as the product handles it. */
    public record Frame(long tsNanos, int wirelen, byte[] data) {
        public int caplen() {
            return data.length;
        }
    }

    /** Called per whole record; {@code data} holds the captured bytes at {@code offset}. */
    @FunctionalInterface
    public interface Visitor {
        void record(long seconds, long fraction, int caplen, int wirelen, byte[] data, int offset);
    }

    /** What {@link #visit} saw: the header fields, the whole records and the bytes after them. */
    public record Summary(int magic, int snaplen, int linkType, long records, long trailingBytes) {
        public boolean cleanEnd() {
            return trailingBytes == 0;
        }
    }

    // ---- reading

    public static Capture read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /** Parses a whole file; throws IllegalArgumentException unless it is made of whole records. */
    public static Capture parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = byteOrder(b);
        if (magic == 0) {
            throw new IllegalArgumentException("not a pcap file");
        }
        List<Record> records = new ArrayList<>();
        long end = walk(b, (seconds, fraction, caplen, wirelen, data, offset) ->
                records.add(new Record(seconds, fraction, wirelen, Arrays.copyOfRange(data, offset, offset + caplen))));
        if (end != bytes.length) {
            throw new IllegalArgumentException(end + RECORD_HEADER_LENGTH <= bytes.length ? "truncated record at " + end
                    : "trailing bytes after the last record");
        }
        return new Capture(magic == MAGIC_NANOSECONDS, b.order() == ByteOrder.BIG_ENDIAN, b.getInt(16), b.getInt(20), records);
    }

    /** The frames of an Ethernet capture (throws for any other link type). */
    public static List<Frame> ethernetFrames(Path file) throws IOException {
        Capture capture = read(file);
        if (capture.linkType() != LINKTYPE_ETHERNET) {
            throw new IOException(file + ": link type " + capture.linkType() + ", expected Ethernet");
        }
        return capture.frames();
    }

    /**
     * Visits the whole records of a file that may still be written to or may end inside a record
     * (a live capture), without holding the file in the heap.
     */
    public static Summary visit(Path file, Visitor visitor) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size < HEADER_LENGTH) {
                return new Summary(0, 0, 0, 0, size);
            }
            ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int magic = byteOrder(map);
            long[] records = {0};
            long end = walk(map, (seconds, fraction, caplen, wirelen, data, offset) -> {
                visitor.record(seconds, fraction, caplen, wirelen, data, offset);
                records[0]++;
            });
            return new Summary(magic, map.getInt(16), map.getInt(20), records[0], size - end);
        }
    }

    /** Sets the buffer's byte order from the magic; returns the magic, or 0 when it is none. */
    private static int byteOrder(ByteBuffer b) {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            int magic = b.order(order).getInt(0);
            if (magic == MAGIC_MICROSECONDS || magic == MAGIC_NANOSECONDS) {
                return magic;
            }
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        return 0;
    }

    /** Visits the whole records after the file header; returns where the first incomplete one starts. */
    private static long walk(ByteBuffer b, Visitor visitor) {
        byte[] data = new byte[LARGEST_RECORD];
        int size = b.limit();
        int at = HEADER_LENGTH;
        while (at + RECORD_HEADER_LENGTH <= size) {
            int caplen = b.getInt(at + 8);
            if (caplen < 0 || caplen > data.length || at + RECORD_HEADER_LENGTH + caplen > size) {
                break;
            }
            b.get(at + RECORD_HEADER_LENGTH, data, 0, caplen);
            visitor.record(b.getInt(at) & 0xFFFFFFFFL, b.getInt(at + 4) & 0xFFFFFFFFL, caplen, b.getInt(at + 12), data, 0);
            at += RECORD_HEADER_LENGTH + caplen;
        }
        return at;
    }

    // ---- writing

    public static byte[] write(Capture capture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteOrder order = capture.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        out.writeBytes(header(capture.nanosecond(), order, capture.snaplen(), capture.linkType()));
        for (Record r : capture.records()) {
            out.writeBytes(record(r, order));
        }
        return out.toByteArray();
    }

    /** Writes little-endian nanosecond Ethernet pcap (snaplen 262144). */
    public static void writeFrames(Path file, List<Frame> frames) throws IOException {
        List<Record> records = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            records.add(new Record(f.tsNanos() / 1_000_000_000L, f.tsNanos() % 1_000_000_000L, f.wirelen(), f.data()));
        }
        Files.write(file, write(new Capture(true, false, 262144, LINKTYPE_ETHERNET, records)));
    }

    /** A file header. */
    public static byte[] header(boolean nanosecond, ByteOrder order, int snaplen, int linkType) {
        return ByteBuffer.allocate(HEADER_LENGTH).order(order)
                .putInt(nanosecond ? MAGIC_NANOSECONDS : MAGIC_MICROSECONDS).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(snaplen).putInt(linkType).array();
    }

    /** One record: its header and data. */
    public static byte[] record(Record r, ByteOrder order) {
        return ByteBuffer.allocate(RECORD_HEADER_LENGTH + r.data().length).order(order)
                .putInt((int) r.seconds()).putInt((int) r.fraction()).putInt(r.data().length).putInt(r.wirelen())
                .put(r.data()).array();
    }

    // ---- numbered synthetic captures and rotated output (the output tests)

    /** The little-endian microsecond header of the synthetic captures (Ethernet, snaplen 65535). */
    public static byte[] syntheticHeader() {
        return header(false, ByteOrder.LITTLE_ENDIAN, 65535, LINKTYPE_ETHERNET);
    }

    /**
     * Synthetic record {@code index}: {@code size} bytes whose content encodes the index (only the
     * record framing has to be valid for tcpdump -r).
     */
    public static byte[] syntheticRecord(long index, int size, long timestampMicros) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (index * 31 + i);
        }
        return record(new Record(timestampMicros / 1_000_000, timestampMicros % 1_000_000, size, data), ByteOrder.LITTLE_ENDIAN);
    }

    /** The size of synthetic record {@code index}: 60 to 1459 bytes. */
    public static int syntheticSize(long index) {
        return 60 + (int) ((index * 7919) % 1400);
    }

    /** Writes {@code count} synthetic records, {@code perSecond} of them per second of packet time from {@code startSeconds}. */
    public static Path writeSynthetic(Path file, int count, int perSecond, long startSeconds) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(syntheticHeader());
            for (int i = 0; i < count; i++) {
                long micros = startSeconds * 1_000_000L + (long) i * 1_000_000L / perSecond;
                out.write(syntheticRecord(i, syntheticSize(i), micros));
            }
        }
        return file;
    }

    /** The bytes after the file header. */
    public static byte[] body(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOfRange(all, HEADER_LENGTH, all.length);
    }

    public static byte[] concatenatedBodies(List<Path> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) {
            out.write(body(f));
        }
        return out.toByteArray();
    }

    /** The finished output files ({@code *.pcap}, not hidden) in {@code dir}, sorted by name. */
    public static List<Path> outputFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> (p.getFileName().toString().endsWith(".pcap") || p.getFileName().toString().endsWith(".pcapng"))
                            && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    /** The capture files being written in {@code dir} ({@code .NAME.part}), not the index published beside one ({@code .NAME.idx.part}). */
    public static List<Path> captureParts(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part") && !p.getFileName().toString().endsWith(".idx.part"))
                    .sorted().toList();
        }
    }

    /** The timestamps of the records in a body (asserts the body is made of whole records). */
    public static List<Long> timestampsMicros(byte[] body) {
        byte[] file = new byte[HEADER_LENGTH + body.length];
        System.arraycopy(syntheticHeader(), 0, file, 0, HEADER_LENGTH);
        System.arraycopy(body, 0, file, HEADER_LENGTH, body.length);
        List<Long> timestamps = new ArrayList<>();
        long end = walk(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN),
                (seconds, fraction, caplen, wirelen, data, offset) -> timestamps.add(seconds * 1_000_000L + fraction));
        assertEquals(file.length, end, "partial record at body offset " + (end - HEADER_LENGTH));
        return timestamps;
    }

    /** tcpdump reads the file without an error and counts {@code records} packets. */
    public static void assertTcpdumpReads(Path file, int records) throws IOException {
        Tools.Output tcpdump = Tools.run("tcpdump", "-nn", "-q", "-r", file.toString());
        assertEquals(0, tcpdump.status(), file + ": " + tcpdump.stderr());
        assertFalse(tcpdump.stderr().contains("truncated"), file + ": " + tcpdump.stderr());
        assertEquals(records, timestampsMicros(body(file)).size());
    }

    /** Every pcap in the shared Zeek test data. */
    public static List<Path> zeekFiles() throws IOException {
        try (var stream = Files.list(ZEEK)) {
            return stream.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
    }
}
