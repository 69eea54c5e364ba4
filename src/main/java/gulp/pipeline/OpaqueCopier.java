package gulp.pipeline;

import gulp.ring.ByteRing;
import gulp.ring.ByteRingProducer;
import gulp.ring.IdleStrategy;
import gulp.stats.CaptureCounters;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * {@code -c}: copies arbitrary bytes from the input into the ring without parsing them, reading
 * straight into ring memory (no intermediate buffer).
 */
public final class OpaqueCopier {
    private static final int CHUNK = 64 * 1024;

    private final ReadableByteChannel input;
    private final ByteRing ring;
    private final CaptureCounters counters;
    private final RunControl control;
    private final IdleStrategy idle;

    public OpaqueCopier(ReadableByteChannel input, ByteRing ring, CaptureCounters counters, RunControl control,
                        long maxParkNanos) {
        this.input = input;
        this.ring = ring;
        this.counters = counters;
        this.control = control;
        this.idle = new IdleStrategy(maxParkNanos);
    }

    public void run() throws IOException {
        ByteRingProducer producer = ring.producer();
        long chunk = Math.min(CHUNK, ring.capacity() / 2);
        while (!control.stopRequested()) {
            if (!producer.tryClaim(chunk)) {
                idle.idle();
                continue;
            }
            idle.reset();
            var region = producer.contiguousClaimedRegion().asByteBuffer();
            int n = input.read(region);
            if (n < 0) {
                producer.abandon();
                return;
            }
            producer.advance(n);
            producer.commit();
            producer.publish();
            counters.packetsRead.increment();
            counters.bytesStored.add(n);
        }
    }
}
