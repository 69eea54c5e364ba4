package gulp.capture;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gulp.decap.DecapConfig;
import gulp.decap.Decapsulator;
import gulp.format.PcapRecordHeader;
import gulp.format.PcapRecordEncoder;
import gulp.pipeline.PacketPath;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.stats.CaptureCounters;
import gulp.testing.FuzzSeeds;
import gulp.testing.PcapFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the capture file reader (classic pcap and pcapng): any bytes, read as
 * a file, end in {@link InputException} at most, in bounded work, and what reaches the ring, plain
 * and through {@code -d}, is a valid pcap record stream. Without {@code JAZZER_FUZZ} this runs the
 * inputs in {@code src/test/resources/gulp/capture/CaptureFileFuzzTestInputs} (docs/fuzzing.md).
 */
public class CaptureFileFuzzTest {
    private static final int SNAPLEN = 262_144;
    /** Larger inputs are not read (the seeds are a few KiB; this keeps the rings from filling). */
    private static final int MAX_INPUT = 8 << 20;
    /** Work allowed per input byte: every packet and every read moves forward through the input. */
    private static final int STEPS_PER_BYTE = 4;
    /** Reader buffers are allocated per open and freed by the collector: let it run now and then. */
    private static final int OPENS_BETWEEN_COLLECTIONS = 64;

    private static final Path INPUT = temporaryInput();
    private static final ByteRing PLAIN_RING = ByteRing.allocate(16 << 20, Arena.global());
    private static final ByteRing DECAP_RING = ByteRing.allocate(16 << 20, Arena.global());
    private static final Stage PLAIN = new Stage(PLAIN_RING, null);
    private static final Stage DECAP = new Stage(DECAP_RING, new Decapsulator(DecapConfig.defaults()));
    private static int opens;

    /** One output path as {@code Main} builds it: PacketPath over PcapRecordEncoder into a ring. */
    private static final class Stage {
        final ByteRing ring;
        final CaptureCounters counters = new CaptureCounters();
        final PacketPath path;
        long drainedBytes;

        Stage(ByteRing ring, Decapsulator decapsulator) {
            this.ring = ring;
            this.path = new PacketPath(ring.producer(), new PcapRecordEncoder(false, SNAPLEN), true, counters,
                    new RunControl(), 1000, 0);
            if (decapsulator != null) {
                path.setDecapsulator(decapsulator);
            }
        }
    }

    @FuzzTest(maxDuration = "12s")
    void captureFileReadsAnyBytesSafely(byte[] data) throws IOException {
        readAndCheck(data, data.length);
    }

    /** Reads the first {@code length} bytes of {@code file} as a capture file and checks everything. */
    static void readAndCheck(byte[] file, int length) throws IOException {
        if (length > MAX_INPUT) {
            return;
        }
        try (FileChannel out = FileChannel.open(INPUT, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(file, 0, length);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        if (++opens % OPENS_BETWEEN_COLLECTIONS == 0) {
            System.gc(); // CaptureFileSource's 4 MiB buffer is native memory the heap does not feel
        }
        Checking handler = new Checking(MemorySegment.ofArray(file).asSlice(0, length));
        try (CaptureFileSource source = CaptureFileSource.open(List.of(INPUT.toString()))) {
            handler.ethernet = source.linkType() == 1;
            source.run(handler);
        } catch (InputException expected) {
            assertTrue(expected.getMessage().startsWith(INPUT + ": "), expected.getMessage());
            assertTrue(expected.getMessage().indexOf('\n') < 0, "one line: " + expected.getMessage());
        }
        PLAIN.path.finish();
        DECAP.path.finish();
        assertEquals(handler.packets, drainValidRecords(PLAIN), "every packet read is one record");
        drainValidRecords(DECAP);
    }

    /** Hands every packet to both stages and checks what the reader says about it. */
    private static final class Checking implements PacketHandler {
        final MemorySegment input;
        final long stepLimit;
        long steps;
        long packets;
        long searchFrom;
        boolean ethernet;

        Checking(MemorySegment file) {
            this.input = file;
            this.stepLimit = STEPS_PER_BYTE * file.byteSize() + 64;
        }

        @Override
        public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag) {
            step();
            assertTrue(caplen >= 0 && caplen <= PcapRecordHeader.MAX_CAPLEN, "caplen " + caplen);
            assertTrue(offset >= 0 && offset + caplen <= data.byteSize(), "packet inside the reader's buffer");
            assertEquals(NO_VLAN_TAG, vlanTag);
            // The packet is bytes of the file, later than the previous packet's.
            long at = find(data.asSlice(offset, caplen), searchFrom);
            assertTrue(at >= 0, "packet " + (packets + 1) + " is not a piece of the input after the previous one");
            searchFrom = at + caplen;
            packets++;
            PLAIN.path.onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag);
            if (ethernet) {
                DECAP.path.onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag);
            }
        }

        @Override
        public void onBatchEnd() {
            step();
            PLAIN.path.onBatchEnd();
            DECAP.path.onBatchEnd();
        }

        @Override
        public boolean stopRequested() {
            return false;
        }

        private void step() {
            if (++steps > stepLimit) {
                throw new AssertionError("no progress: " + steps + " calls for " + input.byteSize() + " input bytes");
            }
        }

        /** First position at or after {@code from} where {@code needle} occurs in the input, or -1. */
        private long find(MemorySegment needle, long from) {
            long n = needle.byteSize();
            for (long at = from; at + n <= input.byteSize(); at++) {
                if (MemorySegment.mismatch(input, at, at + n, needle, 0, n) < 0) {
                    return at;
                }
            }
            return -1;
        }
    }

    /**
     * Walks the published records as a pcap reader would: every record header is complete, its
     * captured length within the snaplen and not above its original length, microseconds below a
     * million, and the records end exactly at the published tail. Releases them; returns their count.
     */
    private static long drainValidRecords(Stage stage) {
        stage.ring.producer().publish(); // what an input error left committed, as the pipeline's finish does
        ByteRingConsumer consumer = stage.ring.consumer();
        long readable = consumer.refresh();
        long start = consumer.head();
        long end = start + readable;
        long position = start;
        long records = 0;
        while (position < end) {
            assertTrue(position + PcapRecordHeader.LENGTH <= end, "record header cut at the tail");
            long micros = consumer.intLittleEndianAt(position + PcapRecordHeader.TS_FRACTION_OFFSET) & 0xFFFFFFFFL;
            long caplen = consumer.intLittleEndianAt(position + PcapRecordHeader.CAPLEN_OFFSET) & 0xFFFFFFFFL;
            long wirelen = consumer.intLittleEndianAt(position + PcapRecordHeader.WIRELEN_OFFSET) & 0xFFFFFFFFL;
            assertTrue(micros < 1_000_000, "fraction " + micros);
            assertTrue(caplen <= SNAPLEN, "caplen " + caplen + " above the snaplen");
            assertTrue(wirelen >= caplen, "original length " + wirelen + " below caplen " + caplen);
            position += PcapRecordHeader.LENGTH + caplen;
            records++;
        }
        assertEquals(end, position, "records end at the published tail");
        stage.drainedBytes += readable;
        assertEquals(stage.counters.bytesStored.get(), stage.drainedBytes, "bytes counted are the bytes published");
        consumer.release(readable);
        return records;
    }

    // ---------------------------------------------------------------- generated seeds (gulp.testing.FuzzSeeds)

    /**
     * Seeds beside the small Zeek captures: every input format the reader knows, from the records
     * of erspanII.pcap (and outer IP fragments from erspan.pcap, for {@code -d}).
     */
    public static FuzzSeeds.Seeds seeds() throws IOException {
        List<PcapFiles.Record> records = PcapFiles.read(PcapFiles.ZEEK.resolve("erspanII.pcap")).records().subList(0, 3);
        List<PcapFiles.Record> fragments = new ArrayList<>();
        for (PcapFiles.Record r : PcapFiles.read(PcapFiles.ZEEK.resolve("erspan.pcap")).records()) {
            boolean fragment = r.data().length > 21 && ((r.data()[20] & 0x3F) != 0 || r.data()[21] != 0);
            if (fragments.size() < 6 && (fragment || fragments.size() < 2)) {
                fragments.add(r);
            }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("pcap-nanoseconds-big-endian.pcap",
                PcapFiles.write(new PcapFiles.Capture(true, true, 65535, 1, records)));
        files.put("pcap-linktype-fcs-bits.pcap",
                PcapFiles.write(new PcapFiles.Capture(false, false, 65535, 0x30000001, records)));
        byte[] whole = PcapFiles.write(new PcapFiles.Capture(false, false, 65535, 1, records));
        files.put("pcap-truncated-record.pcap", Arrays.copyOf(whole, whole.length - 9));
        files.put("pcap-outer-fragments.pcap", PcapFiles.write(new PcapFiles.Capture(false, false, 65535, 1, fragments)));

        ByteArrayOutputStream ng = new ByteArrayOutputStream();
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        ng.writeBytes(sectionHeader(le));
        ng.writeBytes(interfaceDescription(le, 0, option(le, 9, new byte[] {9}), option(le, 14, longBytes(le, 1))));
        for (PcapFiles.Record r : records) {
            ng.writeBytes(block(le, 6, concat(ints(le, 0, 0x0005_F000, (int) r.fraction(), r.data().length, r.wirelen()), r.data())));
        }
        files.put("pcapng-enhanced-packets-tsresol-tsoffset.pcapng", ng.toByteArray());

        ng.reset();
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        ng.writeBytes(sectionHeader(be));
        ng.writeBytes(interfaceDescription(be, 96));
        byte[] data = records.get(0).data();
        ng.writeBytes(block(be, 3, concat(ints(be, data.length), Arrays.copyOf(data, Math.min(96, data.length)))));
        ng.writeBytes(block(be, 2, concat(ByteBuffer.allocate(20).order(be).putShort((short) 0).putShort((short) 0)
                .putInt(1).putInt(2).putInt(data.length).putInt(data.length).array(), data)));
        ng.writeBytes(block(be, 0x0BAD, ints(be, 1, 2, 3)));
        ng.writeBytes(sectionHeader(le));
        ng.writeBytes(interfaceDescription(le, 0, option(le, 9, new byte[] {(byte) 0x86})));
        ng.writeBytes(block(le, 6, concat(ints(le, 0, 0, 12345, data.length, data.length), data)));
        files.put("pcapng-big-endian-simple-obsolete-then-second-section.pcapng", ng.toByteArray());
        return new FuzzSeeds.Seeds(CaptureFileFuzzTest.class, "captureFileReadsAnyBytesSafely", files);
    }

    private static byte[] block(ByteOrder order, int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        int total = 12 + padded;
        return ByteBuffer.allocate(total).order(order).putInt(type).putInt(total).put(body).position(8 + padded)
                .putInt(total).array();
    }

    private static byte[] sectionHeader(ByteOrder order) {
        return block(order, 0x0A0D0D0A, ByteBuffer.allocate(16).order(order).putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1).array());
    }

    private static byte[] interfaceDescription(ByteOrder order, int snaplen, byte[]... options) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(8).order(order).putShort((short) 1).putShort((short) 0).putInt(snaplen).array());
        for (byte[] option : options) {
            body.writeBytes(option);
        }
        if (options.length > 0) {
            body.writeBytes(new byte[4]); // opt_endofopt
        }
        return block(order, 1, body.toByteArray());
    }

    private static byte[] option(ByteOrder order, int code, byte[] value) {
        return ByteBuffer.allocate(4 + ((value.length + 3) & ~3)).order(order).putShort((short) code)
                .putShort((short) value.length).put(value).array();
    }

    private static byte[] longBytes(ByteOrder order, long value) {
        return ByteBuffer.allocate(8).order(order).putLong(value).array();
    }

    private static byte[] ints(ByteOrder order, int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static Path temporaryInput() {
        try {
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            Path file = Files.createTempFile(dir, "gulp-fuzz-", ".cap");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
