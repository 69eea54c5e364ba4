package gulp.pipeline;

import gulp.capture.PacketHandler;
import gulp.format.CaptureInterface;
import gulp.format.FileEnvelope;
import gulp.format.PcapRecordEncoder;
import gulp.format.PcapngRecordEncoder;
import gulp.format.RecordEncoder;
import gulp.output.RotationPolicy;
import gulp.output.StreamSink;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The writer counts every packet it writes, whether it jumps over a batch by the reader's mark
 * (ByteRingMarks), walks a batch whose mark was dropped (the log was full), or walks past the
 * last mark; writes end inside records.
 */
class WriterCountTest {
    private static final int BATCHES = 3000; // more marks than the log holds before the writer runs
    private static final int PER_BATCH = 7;

    @Test
    void everyPacketWrittenIsCountedWhenMarksWereDroppedAndWritesEndInsideRecords(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.pcap");
        CaptureCounters counters = run(new PcapRecordEncoder(false, 2048), file, false);
        long packets = (long) BATCHES * PER_BATCH + 3;
        assertEquals(packets, counters.recordsStored.get());
        assertEquals(packets, counters.recordsWritten.get());
        assertEquals(packets, pcapRecords(file), "the file holds them all");
    }

    /**
     * The marks' count leaves out non-packet records as the header walk does. (A run writing
     * pcapng always has its envelope watch the records, so its writer walks them: this guards
     * the marks for a stream with interface blocks in it, given no envelope.)
     */
    @Test
    void aPcapngInterfaceDescriptionIsNotCountedAsAPacket(@TempDir Path dir) throws IOException {
        CaptureCounters counters = run(new PcapngRecordEncoder(2048, "test"), dir.resolve("out.pcapng"), true);
        long packets = (long) BATCHES * PER_BATCH + 3;
        assertEquals(packets, counters.recordsWritten.get());
    }

    /** Batches of packets through a PacketPath (which marks each batch), then a writer draining them all. */
    private static CaptureCounters run(RecordEncoder encoder, Path file, boolean declareInterface) throws IOException {
        try (Arena arena = Arena.ofShared(); FileChannel out = FileChannel.open(file,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteRing ring = ByteRing.allocate(32L << 20, arena);
            CaptureCounters counters = new CaptureCounters();
            RunControl control = new RunControl();
            PacketPath path = new PacketPath(ring.producer(), encoder, true, counters, control, 1000, 0);
            if (declareInterface) {
                path.declareInterface(new CaptureInterface("eth0", null, 1, 2048, null));
            }
            MemorySegment frame = arena.allocate(2048);
            int n = 0;
            for (int b = 0; b < BATCHES; b++) {
                for (int i = 0; i < PER_BATCH; i++, n++) {
                    int length = 60 + (n * 337) % 1455; // 60 to 1514 bytes: writes end inside records
                    path.onPacket(frame, 0, length, length, n * 1000L, PacketHandler.NO_VLAN_TAG);
                }
                path.onBatchEnd();
            }
            for (int i = 0; i < 3; i++) { // past the last mark: published by finish() alone
                path.onPacket(frame, 0, 100, 100, 0, PacketHandler.NO_VLAN_TAG);
            }
            ring.producer().finish();
            byte[] header = new byte[0];
            Writer writer = new Writer(ring, new StreamSink(out, file.toString(), FileEnvelope.fixed(header)),
                    encoder.framing(), null, RotationPolicy.NEVER, 64 << 10, 1_000_000, counters, control);
            writer.run();
            assertNull(control.writerError());
            return counters;
        }
    }

    /** Records in a pcap stream without a file header (the sink was given none). */
    private static long pcapRecords(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long records = 0;
        while (bytes.remaining() >= 16) {
            int caplen = bytes.getInt(bytes.position() + 8);
            bytes.position(bytes.position() + 16 + caplen);
            records++;
        }
        assertEquals(0, bytes.remaining(), "the stream ends on a record boundary");
        return records;
    }
}
