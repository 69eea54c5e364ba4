package gulp.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writes and reads classic pcap files for the tests, and runs the gulp command line. */
final class PcapTestFiles {
    static final int HEADER = 24;

    private PcapTestFiles() {
    }

    /** A little-endian microsecond pcap file header (Ethernet, snaplen 65535). */
    static byte[] fileHeader() {
        return ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(65535).putInt(1).array();
    }

    /** One record: Ethernet-ish payload of {@code size} bytes whose content encodes {@code index}. */
    static byte[] record(long index, int size, long timestampMicros) {
        ByteBuffer b = ByteBuffer.allocate(16 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) (timestampMicros / 1_000_000)).putInt((int) (timestampMicros % 1_000_000))
                .putInt(size).putInt(size);
        for (int i = 0; i < size; i++) {
            b.put((byte) (index * 31 + i));
        }
        // An Ethernet type that tcpdump prints without complaint (IPv4 with a nonsense header is
        // fine for -r; the point is only that the record framing is valid).
        return b.array();
    }

    static int sizeOf(long index) {
        return 60 + (int) ((index * 7919) % 1400);
    }

    /** Writes {@code count} records, {@code perSecond} of them per second of packet time from {@code startSeconds}. */
    static Path writeCapture(Path file, int count, int perSecond, long startSeconds) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(fileHeader());
            for (int i = 0; i < count; i++) {
                long micros = startSeconds * 1_000_000L + (long) i * 1_000_000L / perSecond;
                out.write(record(i, sizeOf(i), micros));
            }
        }
        return file;
    }

    /** The bytes after the file header. */
    static byte[] body(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return java.util.Arrays.copyOfRange(all, HEADER, all.length);
    }

    /** The finished output files ({@code *.pcap}, not hidden), sorted by name. */
    static List<Path> outputFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".pcap") && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    static byte[] concatenatedBodies(List<Path> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) {
            out.write(body(f));
        }
        return out.toByteArray();
    }

    /** Record start offsets within a body (asserts the body is made of whole records). */
    static List<Long> timestampsMicros(byte[] body) {
        List<Long> ts = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at < body.length) {
            assertTrue(at + 16 <= body.length, "partial record header at " + at);
            long caplen = b.getInt(at + 8) & 0xFFFFFFFFL;
            ts.add((b.getInt(at) & 0xFFFFFFFFL) * 1_000_000L + (b.getInt(at + 4) & 0xFFFFFFFFL));
            at += 16 + (int) caplen;
        }
        assertEquals(body.length, at, "partial record at the end");
        return ts;
    }

    /** tcpdump reads the file without an error and counts {@code records} packets. */
    static void assertTcpdumpReads(Path file, int records) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-nn", "-q", "-r", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), file + ": " + err);
        assertTrue(!err.contains("truncated"), file + ": " + err);
        assertEquals(records, timestampsMicros(body(file)).size());
    }

    /** Runs gulp's Main in a new JVM. */
    static ProcessBuilder gulp(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", Path.of("target", "classes").toAbsolutePath().toString(), "gulp.cli.Main"));
        argv.addAll(args);
        return new ProcessBuilder(argv);
    }

    /** Runs gulp to the end; returns exit status and stderr. */
    static Result run(String... args) throws Exception {
        Process p = gulp(List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        return new Result(p.waitFor(), err);
    }

    record Result(int status, String stderr) {
    }
}
