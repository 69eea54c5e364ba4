package gulp.metrics;

import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsJsonTest {
    @Test
    void aLineHoldsEveryFigureByItsMetricNameWithLabelledOnesAsObjects() {
        try (Arena arena = Arena.ofConfined()) {
            CaptureCounters counters = new CaptureCounters();
            counters.recordsWritten.add(12345678901L);
            counters.kernelReceived.set(7);
            ByteRing ring = ByteRing.allocate(1 << 20, arena);
            RunFigures figures = new RunFigures(new RunFigures.Sources(counters,
                    InterfaceFigures.single("eth\"1", counters, true), ring, true, null, null, null, null), 1_700_000_000_250L);
            String line = StatsJson.line(figures, "2.0.0", 1_700_000_001_500L, true);
            assertTrue(line.startsWith("{\"time\":1700000001.5,\"final\":true,\"version\":\"2.0.0\""), line);
            assertTrue(line.contains("\"gulp_written_records_total\":12345678901"), line);
            assertTrue(line.contains("\"gulp_kernel_received_packets_total\":{\"eth\\\"1\":7}"), line);
            assertTrue(line.contains("\"gulp_ring_capacity_bytes\":1048576"), line);
            assertTrue(line.contains("\"gulp_start_time_seconds\":1700000000.25"), line);
            assertFalse(line.contains("gulp_last_file_finished_time_seconds"), "no file finished: no value");
            assertFalse(line.contains("gulp_output_free_bytes"), "no output file system");
            assertFalse(line.contains("\n"));
        }
    }

    @Test
    void kafkaDropsAreOneFigureByReasonBesideTheRingFullOnes() {
        try (Arena arena = Arena.ofConfined()) {
            CaptureCounters counters = new CaptureCounters();
            counters.kafkaUndelivered.add(3);
            counters.kafkaUnsent.add(40);
            counters.droppedRingFull.add(5);
            counters.stalledRingFull.add(2);
            ByteRing ring = ByteRing.allocate(1 << 20, arena);
            RunFigures figures = new RunFigures(new RunFigures.Sources(counters,
                    InterfaceFigures.single("eth1", counters, true), ring, true, null, null, null, () -> true), 0);
            String line = StatsJson.line(figures, "2.0.0", 1_000L, false);
            assertTrue(line.contains("\"gulp_kafka_dropped_packets_total\":{\"undelivered\":3,\"unsent_at_stop\":40,"
                    + "\"stalled_ring_full\":2,\"stalled_kernel\":0}"), line);
            assertTrue(line.contains("\"gulp_output_stall_dropped_packets_total\":{\"ring_full\":2,\"kernel\":0}"), line);
            assertTrue(line.contains("\"gulp_kafka_refusing\":1"), line);
            assertTrue(line.contains("\"gulp_ring_full_dropped_packets_total\":{\"eth1\":5}"), line);
            RunFigures without = new RunFigures(new RunFigures.Sources(counters,
                    InterfaceFigures.single("eth1", counters, true), ring, true, null, null, null, null), 0);
            assertFalse(StatsJson.line(without, "2.0.0", 1_000L, false).contains("kafka"), "no --kafka: no kafka figures");
        }
    }

    @Test
    void numbersAreWholeWithoutAFractionAndNeverNaN() {
        assertEquals("0", StatsJson.number(0));
        assertEquals("1796124846.763", StatsJson.number(1796124846.763));
        assertEquals("null", StatsJson.number(Double.NaN));
        StringBuilder b = new StringBuilder();
        StatsJson.string(b, "a\\b\n\u0001");
        assertEquals("\"a\\\\b\\n\\u0001\"", b.toString());
    }
}
