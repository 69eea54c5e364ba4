package gulp.testing;

import gulp.linux.PacketSender;
import gulp.linux.TestLibc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Sends frames from inside a test namespace: a dedicated platform thread enters the namespace
 * with setns(2) (only that thread moves), opens a {@link PacketSender} on the interface and sends
 * a bounded number of frames before a deadline.
 */
public final class NamespaceSender {
    /** Hard limit for any test send loop. */
    public static final long MAX_SECONDS = 60;

    private NamespaceSender() {
    }

    /**
     * Sends {@code frames.apply(i)} for i in [first, first + count), pausing {@code pauseNanos}
     * between frames (0 = as fast as possible). {@code sent} counts progress; the future completes
     * with the number sent.
     */
    public static CompletableFuture<Long> send(String namespace, String interfaceName, int first, int count,
                                               IntFunction<byte[]> frames, long pauseNanos, AtomicLong sent) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        Thread.ofPlatform().name("test-sender").daemon().start(() -> {
            try {
                TestLibc.enterNetworkNamespace(namespace);
                long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
                try (Arena arena = Arena.ofConfined(); PacketSender sender = PacketSender.open(interfaceName)) {
                    MemorySegment buffer = arena.allocate(1 << 16, 64);
                    for (int i = first; i < first + count && System.nanoTime() < deadline; i++) {
                        byte[] frame = frames.apply(i);
                        MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 0, frame.length);
                        sender.send(buffer, frame.length, deadline);
                        sent.incrementAndGet();
                        if (pauseNanos > 0) {
                            long until = System.nanoTime() + pauseNanos;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                        }
                    }
                }
                done.complete(sent.get());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
