package gulp.kafka;

import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The capture box's counters in the records' {@code counters} header, and what kafka-consume makes of them. */
class KafkaBoxCountersTest {
    private static final KafkaSource.Origin BOX = new KafkaSource.Origin("box-a", "eth1");

    @Test
    void theHeaderSaysTheLiveBoxsCountersAndReadsBackTheSame() {
        CaptureCounters c = new CaptureCounters();
        c.recordsStored.add(1000);
        c.droppedRingFull.add(7);
        c.filteredOut.add(3);
        c.kafkaUndelivered.add(2);
        c.kafkaUnsent.add(5);
        c.stalledRingFull.add(4);
        c.kernelReceived.set(1200);
        c.kernelDropped.set(190);
        c.interfaceDropped.set(1);
        BoxCounters live = BoxCounters.of(42, c, true);
        assertEquals("run=42 stored=1000 ringfull=7 filtered=3 kafka=7 stalled=4 recv=1200 kernel=190 ifdrop=1", live.text());
        assertEquals(live, BoxCounters.parse(live.text()));
        BoxCounters file = BoxCounters.of(42, c, false);
        assertEquals(InterfaceFigures.UNKNOWN, BoxCounters.parse(file.text()).received(), "no kernel figures for a file input");
    }

    @Test
    void aHeaderWithoutARunOrWithUnknownFiguresIsReadAsFarAsItGoes() {
        assertNull(BoxCounters.parse(null));
        assertNull(BoxCounters.parse("stored=5"));
        BoxCounters later = BoxCounters.parse("run=1 stored=5 future=9 kernel=x ringfull=2");
        assertEquals(5, later.stored());
        assertEquals(2, later.ringFull());
        assertEquals(InterfaceFigures.UNKNOWN, later.kernelDropped());
    }

    @Test
    void theLatestFiguresOfEachRunCountAndTheRunsOfABoxAddUp() {
        BoxFigures figures = new BoxFigures();
        figures.note(BOX, BoxCounters.parse("run=1 stored=100 ringfull=0 filtered=0 kafka=0 stalled=0 recv=100 kernel=0 ifdrop=0"));
        figures.note(BOX, BoxCounters.parse("run=1 stored=300 ringfull=0 filtered=0 kafka=1 stalled=9 recv=320 kernel=9 ifdrop=0"));
        figures.note(BOX, BoxCounters.parse("run=1 stored=200 ringfull=0 filtered=0 kafka=0 stalled=0 recv=200 kernel=0 ifdrop=0"));
        figures.note(BOX, null); // a record of an older gulp: no counters
        assertEquals(0, figures.count(), "no interface until its first packet is declared");
        figures.declared(0, BOX);
        assertEquals(1, figures.count());
        assertEquals("box-a:eth1", figures.name(0));
        assertEquals(300, figures.recordsStored(0), "a record of partition 2 read after partition 1's later one");
        assertEquals(320, figures.kernelReceived(0));
        assertEquals(9, figures.kernelDropped(0));
        assertEquals(1, figures.kafkaDropped(0));
        figures.note(BOX, BoxCounters.parse("run=2 stored=50 ringfull=4 filtered=0 kafka=0 stalled=4 recv=50 kernel=0 ifdrop=2"));
        assertEquals(350, figures.recordsStored(0), "the box restarted: its runs add up");
        assertEquals(4, figures.ringFullDropped(0));
        assertEquals(2, figures.interfaceDropped(0));
        assertEquals(InterfaceFigures.UNKNOWN, figures.recordsStored(1), "an interface not declared");
    }
}
