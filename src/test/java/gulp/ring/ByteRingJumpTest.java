package gulp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static gulp.ring.RingBytes.claimNumbered;
import static gulp.ring.RingBytes.fillNumbered;
import static gulp.ring.RingBytes.putNumbered;
import static gulp.ring.RingBytes.readAllChecked;
import static gulp.ring.RingBytes.writeNumbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The early wrap's jump (ByteRing's class comment) in the orders of events that a stall can bring:
 * which slot each wrap is posted in, the head stopping exactly at a wrap or a jump, a release at
 * the end of the buffer, a claim committed short of its end. Every byte is checked on reading.
 */
class ByteRingJumpTest {
    static final int CAPACITY = 1 << 20;
    static final long WRAP_FROM = 64 << 10;

    /** Wrap #0 (slot 0) passed while the consumer keeps up; wrap #1 (slot 1) while it stalls, jump #2 (slot 0). */
    @Test
    void aWrapInSlotOneAndAJumpInSlotZeroAreReadInOrder() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer p = ring.producer();
            ByteRingConsumer c = ring.consumer();
            long produced = 0;
            int wrapsSeen = 0;
            long lastWrap = 0;
            while (true) { // consumer keeps up: early wraps happen
                produced = claimNumbered(p, produced, 1000);
                p.publish();
                if (ring.lastEarlyWrap() != lastWrap) {
                    lastWrap = ring.lastEarlyWrap();
                    if (++wrapsSeen == 2) break; // wrap #1 posted in slot 1, not yet seen by the consumer
                }
                readAllChecked(c);
            }
            produced = fillNumbered(p, produced, 1000); // the stall: fills the wrapped run, jumps (#2, slot 0), fills to the end
            p.publish();
            assertTrue(ring.lastEarlyWrap() > lastWrap, "jumped");
            assertEquals(produced, readAllChecked(c));
        }
    }

    /** The jump run filled exactly to the buffer's end, released in one go: headIndex == capacity. */
    @Test
    void aReleaseAtTheEndOfAJumpRunThatFillsTheBufferStillSlicesTheBytesAfterIt() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer p = ring.producer();
            ByteRingConsumer c = ring.consumer();
            long produced = wrapWithTheHeadAt(p, c, 2 * WRAP_FROM); // the wrap at 3 wrap points, the head at 2
            long lastIndex = -1;
            while (true) {
                if (!p.tryClaim(1000)) break;
                long idx = p.claimedIndexIfContiguous();
                boolean jumped = lastIndex >= 0 && idx > lastIndex + 10_000;
                lastIndex = idx;
                putNumbered(p, produced, 1000);
                produced += 1000;
                if (jumped) break;
            }
            // fill exactly to the end
            while (lastIndex + 1000 < CAPACITY) {
                long left = CAPACITY - (lastIndex + 1000);
                int n = (int) Math.min(1000, left);
                assertTrue(p.tryClaim(n));
                long idx = p.claimedIndexIfContiguous();
                putNumbered(p, produced, n);
                produced += n;
                lastIndex = idx + n - 1000;
            }
            p.publish();
            assertTrue(!p.hasRoom(1), "full");
            // the consumer checks all, then releases it in one go
            long readable = c.refresh();
            c.release(readable);
            assertEquals(produced, c.head());
            produced = claimNumbered(p, produced, 5000);
            p.publish();
            assertEquals(produced, readAllChecked(c));
        }
    }

    /** hasRoom jumps; the consumer catches up to the jump; the publish wraps early at the jump's position. */
    @Test
    void noEarlyWrapIsPostedAtTheJumpsOwnPosition() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer p = ring.producer();
            ByteRingConsumer c = ring.consumer();
            long produced = wrapWithTheHeadAt(p, c, 2 * WRAP_FROM); // the wrap at 3 wrap points, the head at 2
            long w0 = ring.lastEarlyWrap();
            while (p.hasRoom(1000) && ring.lastEarlyWrap() == w0) {
                // claim only while the wrapped run has room without a jump
                produced = claimNumbered(p, produced, 1000);
                if (!peekRoomWithoutJump(p, 1000)) break;
            }
            p.publish();
            assertTrue(p.hasRoom(1000), "hasRoom jumps");
            assertTrue(ring.lastEarlyWrap() > w0, "jump posted by hasRoom");
            assertEquals(produced, readAllChecked(c)); // caught up to the jump position
            p.publish(); // nothing new: wrap #2 at the jump's position?
            for (int i = 0; i < 50; i++) {
                produced = claimNumbered(p, produced, 1000);
            }
            p.publish();
            assertEquals(produced, readAllChecked(c));
        }
    }

    static boolean peekRoomWithoutJump(ByteRingProducer p, long length) {
        return p.tail() + length <= p.limitEnd();
    }

    /** The jump posted after its position was published: the consumer releases to it without learning it; the slot is reused. */
    @Test
    void aSlotIsWrittenAgainOnlyOnceTheHeadIsPastTheWrapInIt() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer p = ring.producer();
            ByteRingConsumer c = ring.consumer();
            long produced = wrapWithTheHeadAt(p, c, 2 * WRAP_FROM); // the wrap at 3 wrap points, the head at 2
            while (peekRoomWithoutJump(p, 1000)) {
                produced = claimNumbered(p, produced, 1000);
            }
            p.publish();                 // tail J published, no jump yet
            c.refresh();                 // sees tail J and wrap #0 (slot 1 still empty)
            long w0 = ring.lastEarlyWrap();
            assertTrue(p.tryClaim(1000)); // jump #1 (slot 1) at J
            assertTrue(ring.lastEarlyWrap() > w0, "jumped");
            putNumbered(p, produced, 1000); produced += 1000;
            c.release(c.readable());     // head = J, passes wrap #0 only: the jump is not learned
            p.publish();                 // head >= J: LINEAR, head index = jumpTo: early wrap #2 (slot 0)
            produced = fillNumbered(p, produced, 1000); // stall: jump #3 in slot 1 over J
            p.publish();
            assertEquals(produced, readAllChecked(c));
        }
    }

    /** OpaqueCopier's pattern: a claim of a chunk, a shorter read committed. A stall after the wrap still gets its jump. */
    @Test
    void aShortCommitBeforeAStallStillLetsTheProducerJump() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer p = ring.producer();
            ByteRingConsumer c = ring.consumer();
            long head = 2 * WRAP_FROM;
            long produced = wrapWithTheHeadAt(p, c, 2 * WRAP_FROM); // the wrap at 3 wrap points, the head at 2
            while (p.tryClaim(8192)) { putNumbered(p, produced, 5000); produced += 5000; p.publish(); } // short "reads"
            assertTrue(produced - head > CAPACITY / 2, "a stall holds only " + (produced - head) + " bytes");
        }
    }

    /**
     * Writes three wrap points' worth, lets the consumer release up to {@code head}, then writes 8
     * bytes and publishes: the early wrap. Returns the bytes written.
     */
    private static long wrapWithTheHeadAt(ByteRingProducer p, ByteRingConsumer c, long head) {
        writeNumbered(p, 0, 3 * WRAP_FROM);
        c.refresh();
        c.release(head);
        assertTrue(p.tryClaim(8));
        putNumbered(p, 3 * WRAP_FROM, 8);
        p.publish();
        return 3 * WRAP_FROM + 8;
    }
}
