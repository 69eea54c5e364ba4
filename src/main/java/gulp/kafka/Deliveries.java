package gulp.kafka;

import gulp.stats.CaptureCounters;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the producer reports about the records {@link KafkaSink} handed it, on the producer's own
 * thread: packets and bytes the broker acknowledged, packets it gave up on (kafka drops,
 * "undelivered"), the last reason. The sink's writer thread folds them into the run's counters
 * (their one writer).
 */
final class Deliveries {
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deliveredBytes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String lastFailure;
    private long foldedDelivered;
    private long foldedBytes;
    private long foldedFailed;

    /** The callback of one record of {@code packets} packets and {@code bytes} bytes, sent from the calling thread. */
    Delivery of(int packets, int bytes) {
        return new Delivery(packets, bytes, Thread.currentThread());
    }

    /** Counts one record's packets when the broker has them, or as kafka drops when the producer gives up. */
    final class Delivery implements Callback {
        private final int packets;
        private final int bytes;
        private final Thread sender;
        /** Failed at once, on the sending thread (no room, no metadata): the record was not taken. */
        boolean refused;

        private Delivery(int packets, int bytes, Thread sender) {
            this.packets = packets;
            this.bytes = bytes;
            this.sender = sender;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e == null) {
                delivered.addAndGet(packets);
                deliveredBytes.addAndGet(bytes);
            } else if (Thread.currentThread() == sender && e instanceof org.apache.kafka.common.errors.TimeoutException) {
                refused = true;
            } else {
                lastFailure = e.getMessage();
                failed.addAndGet(packets);
            }
        }
    }

    /** Adds what was reported since the last call to {@code counters} (the sink's writer thread only). */
    void foldInto(CaptureCounters counters) {
        long d = delivered.get();
        long b = deliveredBytes.get();
        long f = failed.get();
        counters.recordsWritten.add(d - foldedDelivered);
        counters.bytesWritten.add(b - foldedBytes);
        counters.kafkaUndelivered.add(f - foldedFailed);
        foldedDelivered = d;
        foldedBytes = b;
        foldedFailed = f;
    }

    /** The last reason the producer gave for a record it could not deliver, or null. */
    String lastFailure() {
        return lastFailure;
    }
}
