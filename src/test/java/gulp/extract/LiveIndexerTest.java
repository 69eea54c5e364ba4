package gulp.extract;

import gulp.format.PcapRecordEncoder;
import gulp.format.RecordFraming;
import gulp.output.FileNamer;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index so far ({@code .NAME.idx.part}) never outlives its {@code .NAME.part}, whatever the
 * index thread's timing; the writer's records are indexed alike wherever its ring's memory is.
 */
class LiveIndexerTest {
    private static final int ETHERNET = 1;

    @Test
    void anIndexWrittenAfterTheFinisherGaveUpStillFollowsItsFile(@TempDir Path dir) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        // No wait at all: the finisher gives up before the index thread has stored the final index
        // (most rounds), so the index thread must rename it itself.
        LiveIndexer indexer = new LiveIndexer(ETHERNET, RecordFraming.pcap(true), false, lines::add, 0);
        for (int i = 0; i < 20; i++) {
            Path target = dir.resolve("f" + i + ".pcap");
            Path part = dir.resolve(FileNamer.partName(target.getFileName().toString()));
            Files.write(part, new byte[24]);
            indexer.fileStarted(part, target, 24);
            indexer.fileEnded(24);
            Files.move(part, target);
            indexer.fileFinished(part, target);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(hidden(dir).isEmpty() && Files.exists(dir.resolve("f19.pcap.idx"))) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        indexer.close();
        assertEquals(List.of(), hidden(dir), lines.toString());
        for (int i = 0; i < 20; i++) {
            assertTrue(Files.exists(dir.resolve("f" + i + ".pcap.idx")), "f" + i + ".pcap.idx: " + lines);
        }
    }

    @Test
    void anIndexThatComesAfterRetentionDeletedItsFileIsRemovedInsteadOfLeftWithoutItsFile(@TempDir Path dir) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        // No wait: the finisher gives up before the index is stored (most rounds), and retention
        // deletes the file, then its index (not there yet), as output.RunFiles does, before the index comes.
        LiveIndexer indexer = new LiveIndexer(ETHERNET, RecordFraming.pcap(true), false, lines::add, 0);
        for (int i = 0; i <= 20; i++) {
            Path target = dir.resolve("f" + i + ".pcap");
            Path part = dir.resolve(FileNamer.partName(target.getFileName().toString()));
            Files.write(part, new byte[24]);
            indexer.fileStarted(part, target, 24);
            indexer.fileEnded(24);
            Files.move(part, target);
            indexer.fileFinished(part, target);
            if (i < 20) {
                Files.delete(target);
                Files.deleteIfExists(dir.resolve(FileNamer.indexName(target.getFileName().toString())));
            }
        }
        // f20 is kept: the index thread stores in order, so once f20's index is beside it, the others came.
        Path last = dir.resolve("f20.pcap.idx");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(last) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        indexer.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("f20.pcap"), last), files.sorted().toList(), lines.toString());
        }
    }

    @Test
    void theRunsEndLeavesNoIndexSoFarOfAFileNoLongerBeingWritten(@TempDir Path dir) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        // The run's wait: close waits for both queued indexes (with a wait of 0 it could stop the thread before either is stored).
        LiveIndexer indexer = new LiveIndexer(ETHERNET, RecordFraming.pcap(true), false, lines::add, LiveIndexer.FINISH_WAIT_MS);
        Path kept = dir.resolve(FileNamer.partName("kept.pcap")); // still a .part (its rename failed): its index so far stays
        Path gone = dir.resolve(FileNamer.partName("gone.pcap")); // removed (not even a header): its index goes with it
        for (Path part : List.of(kept, gone)) {
            Files.write(part, new byte[24]);
            indexer.fileStarted(part, part.resolveSibling("x"), 24);
            indexer.fileEnded(24);
        }
        Files.delete(gone);
        indexer.close(); // waits for the queued indexes (at most the wait), then stops the thread
        Thread.sleep(200); // a store after close would show now
        assertEquals(List.of(FileIndex.pathFor(kept)), hidden(dir), lines.toString());
        assertFalse(Files.exists(FileIndex.pathFor(gone)));
    }

    @Test
    void aFileTheFinisherRenamesAfterTheRunsEndStillTakesItsIndexWithIt(@TempDir Path dir) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        LiveIndexer indexer = new LiveIndexer(ETHERNET, RecordFraming.pcap(true), false, lines::add, LiveIndexer.FINISH_WAIT_MS);
        Path target = dir.resolve("late.pcap");
        Path part = dir.resolve(FileNamer.partName(target.getFileName().toString()));
        Files.write(part, new byte[24]);
        indexer.fileStarted(part, target, 24);
        indexer.fileEnded(24);
        // The sink's last hand-over failed: the run ends without waiting for the finisher, which still has the file.
        indexer.close(); // waits for the final index (stored beside the .part), then stops the thread
        Files.move(part, target);
        indexer.fileFinished(part, target);
        assertEquals(List.of(), hidden(dir), lines.toString());
        assertTrue(Files.exists(dir.resolve("late.pcap.idx")), lines.toString());
    }

    @Test
    void aRingInHeapMemoryIsIndexedAsOneInNativeMemory(@TempDir Path dir) throws Exception {
        // gulp's rings are native memory, read at their address; any other goes the general path, to the same index.
        try (Arena arena = Arena.ofConfined()) {
            long capacity = 1 << 16;
            byte[] heap = indexOfRing(dir, "heap", ByteRing.over(MemorySegment.ofArray(new byte[(int) capacity + 4096]),
                    capacity, arena, 24));
            byte[] nativ = indexOfRing(dir, "native", ByteRing.allocate(capacity, arena, 24));
            assertArrayEquals(nativ, heap);
        }
    }

    /** The stored index of 500 records written into {@code ring} and shown to an indexer as the writer does. */
    private static byte[] indexOfRing(Path dir, String name, ByteRing ring) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        PcapRecordEncoder encoder = new PcapRecordEncoder(true, 65535);
        LiveIndexer indexer = new LiveIndexer(ETHERNET, encoder.framing(), false, lines::add, LiveIndexer.FINISH_WAIT_MS);
        Path target = dir.resolve(name + ".pcap");
        Path part = dir.resolve(FileNamer.partName(target.getFileName().toString()));
        Files.write(part, new byte[24]);
        indexer.fileStarted(part, target, 24);
        for (int i = 0; i < 500; i++) {
            MemorySegment frame = MemorySegment.ofArray(ExtractCommandTest.frame(1 + i % 50, 1000 + i % 7, i));
            encoder.append(ring.producer(), ExtractCommandTest.BASE + i * 1000L, 0, 0, 0, frame, 0,
                    (int) frame.byteSize(), (int) frame.byteSize());
        }
        ring.producer().publish();
        ByteRingConsumer consumer = ring.consumer();
        long end = consumer.refresh();
        for (long p = 0; p < end; p += encoder.framing().recordLength(consumer, p)) {
            indexer.packet(consumer, p, p);
        }
        indexer.written(consumer, end);
        indexer.fileEnded(24 + end);
        Files.move(part, target);
        indexer.fileFinished(part, target);
        indexer.close();
        assertEquals(List.of(), lines);
        return Files.readAllBytes(dir.resolve(FileNamer.indexName(target.getFileName().toString())));
    }

    private static List<Path> hidden(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".idx.part")).sorted().toList();
        }
    }
}
