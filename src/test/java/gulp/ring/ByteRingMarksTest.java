package gulp.ring;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteRingMarksTest {
    @Test
    void passingAPositionGivesTheLastMarkAtOrBeforeItWithItsCount() {
        ByteRingMarks marks = new ByteRingMarks(8);
        marks.mark(100, 1);
        marks.mark(250, 3);
        marks.mark(400, 7);
        assertEquals(-1, marks.passTo(99), "no mark at or before 99");
        assertEquals(250, marks.passTo(399));
        assertEquals(3, marks.passedCount());
        assertEquals(-1, marks.passTo(399), "each mark is passed once");
        assertEquals(400, marks.passTo(400));
        assertEquals(7, marks.passedCount());
    }

    @Test
    void aPositionThatDidNotMoveMakesNoSecondMark() {
        ByteRingMarks marks = new ByteRingMarks(2);
        marks.mark(100, 1);
        marks.mark(100, 1);
        marks.mark(200, 2);
        assertEquals(200, marks.passTo(1000), "the log held both marks: the repeat took no slot");
        assertEquals(2, marks.passedCount());
    }

    @Test
    void marksMadeWhileTheLogIsFullAreDroppedAndLaterOnesStillCount() {
        ByteRingMarks marks = new ByteRingMarks(2);
        marks.mark(10, 1);
        marks.mark(20, 2);
        marks.mark(30, 3); // dropped: full
        assertEquals(10, marks.passTo(15));
        marks.mark(40, 4);
        assertEquals(40, marks.passTo(45), "20, then 40: 30 was never made");
        assertEquals(4, marks.passedCount(), "a running count: the dropped mark's records are in the next one's");
    }

    @Test
    void aConsumerOnAnotherThreadSeesEveryMarkItPassesWithTheCountMadeWithIt() throws Exception {
        ByteRingMarks marks = new ByteRingMarks(16);
        long last = 2_000_000;
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            for (long n = 1; n <= last; n++) {
                marks.mark(n * 10, n); // many dropped while the consumer lags: counts stay true
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long seen = 0;
        long position = 0;
        while (System.nanoTime() < deadline) {
            boolean producerDone = !producer.isAlive();
            position = producerDone ? Long.MAX_VALUE : position + 7;
            long at = marks.passTo(position);
            if (at < 0) {
                if (producerDone) {
                    break; // every mark made is passed
                }
                continue;
            }
            if (at > position || at <= seen || marks.passedCount() != at / 10) {
                wrong.compareAndSet(null, "mark " + at + " count " + marks.passedCount() + " passing " + position);
            }
            seen = at;
        }
        producer.join();
        assertNull(wrong.get());
        assertTrue(seen > 0, "the consumer passed marks");
        assertTrue(System.nanoTime() < deadline, "the consumer ended in time");
    }
}
