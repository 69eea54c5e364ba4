package gulp.ring;

import gulp.linux.Libc;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real producer and consumer thread through a 1 MiB ring that wraps early: records of 16 B to
 * 260 KiB, claims committed short and abandoned, room asked for; a consumer that stalls now and
 * then and, like the writer, keeps several slices ahead of its head in flight, walking records
 * and copying them too. Every byte is a function of its position and is checked once its slice
 * "completes", so an overwrite is caught. Bounded: {@code stress.millis} (1 s) per seed.
 */
class ByteRingStallStressTest {
    static final int CAPACITY = 1 << 20;
    static final long WRAP_FROM = 64 << 10;
    static final long MIRROR = 512 << 10;
    static final long MILLIS = Long.getLong("stress.millis", 1000);

    static byte byteAt(long p) { return (byte) ((p * 0x9E3779B97F4A7C15L) >>> 56); }

    static int recordLength(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 90) return r.nextInt(16, 2000);
        if (k < 98) return r.nextInt(2000, 64 << 10);
        return r.nextInt(200 << 10, 260 << 10);
    }

    @Test
    void everyByteSurvivesStallsJumpsAndReadsAheadOnPlainRings() throws Exception {
        String seeds = System.getProperty("stress.seeds", "1,2,3,4");
        StringBuilder failures = new StringBuilder();
        for (String s : seeds.split(",")) {
            long seed = Long.parseLong(s.trim());
            try (Arena arena = Arena.ofShared()) {
                ByteRing ring0 = ByteRing.allocate(CAPACITY, arena, (int) (seed * 24 % 4096));
                ByteRing ring = Boolean.getBoolean("stress.nowrap") ? ring0 : ring0.earlyWrapFrom(WRAP_FROM);
                String r = run(ring, seed, "plain");
                if (r != null) failures.append(r).append('\n');
            }
        }
        if (failures.length() > 0) fail(failures.toString());
    }

    @Test
    void everyByteSurvivesStallsJumpsAndReadsAheadOnMirroredRings() throws Exception {
        if (!Libc.canMapMirrored(CAPACITY, MIRROR)) { System.out.println("no mirrored mapping here"); return; }
        String seeds = System.getProperty("stress.mseeds", "5,6");
        StringBuilder failures = new StringBuilder();
        for (String s : seeds.split(",")) {
            long seed = Long.parseLong(s.trim());
            try (Arena arena = Arena.ofShared()) {
                MemorySegment m = Libc.current().mapMirrored(CAPACITY, MIRROR, true, arena);
                ByteRing ring = ByteRing.overMirrored(m, CAPACITY, MIRROR, arena, (int) (seed * 24 % 4096)).earlyWrapFrom(WRAP_FROM);
                String r = run(ring, seed, "mirrored");
                if (r != null) failures.append(r).append('\n');
            }
        }
        if (failures.length() > 0) fail(failures.toString());
    }

    /** Whether the wrap posted at {@code w} (from the producer's thread: still in its slot) is a jump, not an early wrap. */
    static boolean isJump(ByteRing ring, long w) {
        return ring.postedWrapIndex(w) >= ByteRing.ALIGNMENT;
    }

    static String run(ByteRing ring, long seed, String kind) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong jumps = new AtomicLong(); AtomicLong produced = new AtomicLong(), consumed = new AtomicLong(), wrapsSeen = new AtomicLong();
        long deadline = System.nanoTime() + MILLIS * 1_000_000L;
        Thread producerThread = Thread.ofPlatform().start(() -> {
            try {
                ByteRingProducer p = ring.producer();
                SplittableRandom lengths = new SplittableRandom(seed);
                SplittableRandom r = new SplittableRandom(seed * 7919 + 1);
                byte[] buf = new byte[300 << 10];
                long pos = 0;
                long lastWrap = 0;
                int sincePublish = 0, publishEvery = 1;
                while (failure.get() == null && System.nanoTime() < deadline) {
                    int length = recordLength(lengths);
                    int extra = r.nextInt(40) == 0 ? r.nextInt(1, 3000) : 0; // claimed but not written, as OpaqueCopier
                    if (r.nextInt(200) == 0 && p.tryClaim(length)) { // written, then abandoned
                        p.put(MemorySegment.ofArray(buf), 0, Math.min(length, 8));
                        p.abandon();
                    }
                    int spins = 0;
                    while (!p.tryClaim(length + extra)) {
                        if (failure.get() != null || System.nanoTime() >= deadline) { p.finish(); return; }
                        p.publish();
                        if (r.nextInt(4) == 0) p.hasRoom(r.nextLong(1, 3L * CAPACITY));
                        if (++spins > 50) LockSupport.parkNanos(20_000); else Thread.onSpinWait();
                    }
                    for (int i = 0; i < length; i++) buf[i] = byteAt(pos + i);
                    long idx = p.claimedIndexIfContiguous();
                    if (extra == 0 && idx >= 0 && r.nextBoolean()) {
                        MemorySegment.copy(MemorySegment.ofArray(buf), 0, p.buffer(), idx, length);
                        p.commitClaimed();
                    } else {
                        p.put(MemorySegment.ofArray(buf), 0, length);
                        p.commit();
                    }
                    pos += length;
                    produced.set(pos);
                    if (r.nextInt(30) == 0) p.hasRoom(r.nextLong(1, 300 << 10));
                    if (++sincePublish >= publishEvery) {
                        p.publish();
                        sincePublish = 0;
                        publishEvery = r.nextInt(1, 30);
                        long w = ring.lastEarlyWrap();
                        if (w != lastWrap) { lastWrap = w; wrapsSeen.incrementAndGet(); if (isJump(ring, w)) jumps.incrementAndGet(); }
                    }
                }
                p.finish();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread consumerThread = Thread.ofPlatform().start(() -> {
            try {
                ByteRingConsumer c = ring.consumer();
                SplittableRandom lengths = new SplittableRandom(seed);
                SplittableRandom r = new SplittableRandom(seed * 31 + 5);
                ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
                long submitted = 0, scanned = 0;
                int nextLength = recordLength(lengths);
                byte[] copy = new byte[300 << 10];
                MemorySegment copySeg = MemorySegment.ofArray(copy);
                long idleSince = System.nanoTime();
                while (failure.get() == null) {
                    if (r.nextInt(3000) == 0) { // the stall: writes in flight, no refresh
                        Thread.sleep(r.nextInt(1, 25));
                    }
                    boolean done = ring.producerDone();
                    c.refresh();
                    long tail = c.tail();
                    // walk records as the writer's record walk does
                    while (scanned + nextLength <= tail) {
                        long start = scanned;
                        long expectLong = 0;
                        for (int i = 7; i >= 0; i--) expectLong = expectLong << 8 | (byteAt(start + i) & 0xff);
                        long got = c.longLittleEndianAt(start);
                        if (got != expectLong) throw new AssertionError("longLittleEndianAt(" + start + ") " + Long.toHexString(got));
                        int gotInt = c.intLittleEndianAt(start + nextLength - 4);
                        if (gotInt != (int) (c.longLittleEndianAt(start + nextLength - 8) >>> 32))
                            throw new AssertionError("int/long disagree at " + (start + nextLength - 4));
                        int expInt = 0;
                        for (int i = 3; i >= 0; i--) expInt = expInt << 8 | (byteAt(start + nextLength - 4 + i) & 0xff);
                        if (gotInt != expInt) throw new AssertionError("intLittleEndianAt(" + (start + nextLength - 4) + ")");
                        if (r.nextInt(8) == 0) {
                            c.copyTo(start, copySeg, 0, nextLength);
                            for (int i = 0; i < nextLength; i++)
                                if (copy[i] != byteAt(start + i)) throw new AssertionError("copyTo at " + (start + i) + " record " + start + "+" + nextLength);
                        }
                        scanned += nextLength;
                        nextLength = recordLength(lengths);
                    }
                    int maxInFlight = 1 + r.nextInt(6);
                    while (inFlight.size() < maxInFlight && submitted < tail) {
                        long want = Math.min(tail - submitted, r.nextInt(1, 300 << 10));
                        ByteBuffer bb = c.byteBufferAt(submitted, want);
                        if (bb.remaining() <= 0) throw new AssertionError("empty byteBufferAt(" + submitted + ") tail " + tail);
                        inFlight.add(new Object[]{submitted, bb});
                        submitted += bb.remaining();
                    }
                    if (r.nextInt(20) == 0 && c.readable() > 0) { // a slice at the head
                        ByteBuffer s = c.byteBuffer(r.nextInt(1, 1 << 20));
                        if (s.remaining() <= 0) throw new AssertionError("empty slice at head " + c.head() + " readable " + c.readable());
                        for (int i = 0; i < s.remaining(); i++)
                            if (s.get(s.position() + i) != byteAt(c.head() + i)) throw new AssertionError("slice at " + (c.head() + i));
                    }
                    int complete = inFlight.isEmpty() ? 0 : r.nextInt(inFlight.size() + 1);
                    long releaseTo = c.head();
                    for (int k = 0; k < complete; k++) {
                        Object[] f = inFlight.poll();
                        long at = (long) f[0];
                        ByteBuffer bb = (ByteBuffer) f[1];
                        for (int i = 0; i < bb.remaining(); i++)
                            if (bb.get(bb.position() + i) != byteAt(at + i))
                                throw new AssertionError("in-flight byte at " + (at + i) + " (slice from " + at + ", " + bb.remaining() + ")");
                        releaseTo = at + bb.remaining();
                    }
                    if (releaseTo > c.head()) {
                        c.release(releaseTo - c.head());
                        consumed.set(c.head());
                        idleSince = System.nanoTime();
                    } else if (done && c.head() == c.tail() && inFlight.isEmpty()) {
                        return;
                    } else {
                        if (System.nanoTime() - idleSince > 5_000_000_000L)
                            throw new AssertionError("no progress for 5 s: head " + c.head() + " tail " + tail + " inflight " + inFlight.size());
                        if (inFlight.isEmpty()) LockSupport.parkNanos(10_000);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        producerThread.join(MILLIS + 20_000);
        consumerThread.join(20_000);
        String summary = kind + " seed " + seed + ": produced " + (produced.get() >> 20) + " MiB, consumed " + (consumed.get() >> 20)
                + " MiB, wrap changes seen " + wrapsSeen.get() + " (jumps " + jumps.get() + ")" + ", peak " + (ring.peakUsed() >> 10) + " KiB";
        System.out.println(summary + (failure.get() == null ? " OK" : " FAILED: " + failure.get()));
        if (producerThread.isAlive() || consumerThread.isAlive()) {
            failure.compareAndSet(null, new AssertionError("threads alive (liveness)"));
            producerThread.interrupt(); consumerThread.interrupt();
        }
        return failure.get() == null ? null : summary + ": " + failure.get();
    }
}
