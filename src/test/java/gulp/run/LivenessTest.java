package gulp.run;

import gulp.stats.Counter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The watchdog's view of progress: every watched role must have turned its loop since the last look. */
class LivenessTest {
    private final Counter reader = new Counter();
    private final Counter writer = new Counter();
    private final Liveness liveness = new Liveness(new Counter[] {reader, writer}, new String[] {"reader", "writer"});

    @Test
    void rolesThatBothTurnedTheirLoopAreHealthy() {
        reader.increment();
        writer.add(3);
        assertNull(liveness.stuck());
    }

    @Test
    void aWriterThatDidNotTurnSinceTheLastLookIsNamedStuck() {
        reader.increment();
        writer.increment();
        assertNull(liveness.stuck());
        reader.increment(); // the reader idles on, the writer hangs in write(2)
        assertEquals("writer", liveness.stuck());
        reader.increment();
        writer.increment(); // the disk came back
        assertNull(liveness.stuck());
    }

    @Test
    void bothStuckAreNamedTogether() {
        assertEquals("reader and writer", liveness.stuck());
    }
}
