package gulp.pipeline;

import gulp.capture.PacketHandler;
import gulp.format.PcapRecordEncoder;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ring-full drops are the stall's exactly while the writer says its output is stalled, and only then. */
class StallDropAttributionTest {
    @Test
    void ringFullDropsCountAsTheStallsOnlyWhileTheOutputIsStalled() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(1 << 16, arena); // nobody drains it: it fills
            CaptureCounters counters = new CaptureCounters();
            PacketPath path = new PacketPath(ring.producer(), new PcapRecordEncoder(false, 2048), false, counters,
                    new RunControl(), 1000, 0);
            AtomicBoolean stalled = new AtomicBoolean();
            path.watchOutputStall(stalled::get);
            MemorySegment frame = arena.allocate(1000);
            long dropsBefore = -1;
            for (int i = 0; i < 300; i++) {
                if (i == 200) {
                    stalled.set(true);
                    dropsBefore = counters.droppedRingFull.get();
                }
                if (i == 250) {
                    stalled.set(false);
                }
                path.onPacket(frame, 0, 1000, 1000, i * 1000L, PacketHandler.NO_VLAN_TAG);
            }
            path.onBatchEnd();
            assertTrue(dropsBefore > 0, "the ring was full before the stall began");
            assertEquals(300, counters.recordsStored.get() + counters.droppedRingFull.get());
            assertEquals(50, counters.stalledRingFull.get(), "the 50 packets dropped while stalled");
            assertEquals(50, counters.lostWhileStalled());
            assertEquals(0, counters.droppedKafka(), "not a Kafka output");
            assertTrue(path.outputStalled() == stalled.get());
        }
    }
}
