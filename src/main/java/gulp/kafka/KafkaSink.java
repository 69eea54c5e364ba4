package gulp.kafka;

import gulp.format.RecordFraming;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.stats.CaptureCounters;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The writer thread of a {@code --kafka} run, in place of {@code pipeline.Writer}: takes whole
 * records from the ring (through {@link RecordFraming}, whatever encoding the ring holds), re-frames
 * each packet as a pcapng EPB into a batch per partition (partition = symmetric 5-tuple hash mod the
 * topic's partitions, so a flow stays in one), and hands full batches (or those older than
 * {@link #LINGER_NANOS}) to the producer. It never waits for Kafka: when the producer refuses a batch
 * (its buffer is full, or no broker has answered yet) the batch is kept and the records after it stay
 * in the ring, which absorbs the stall, as it absorbs a disk that stalls: what the ring cannot hold
 * meanwhile is lost where any ring-full loss is (a live capture leaves kernel blocks in the kernel ring,
 * which drops when it is full too, or with {@code --no-hold-kernel-blocks} counts "ring full"; input
 * that can wait just waits), and, as the reader asks {@link #refusing()}, counted as the stall's
 * ({@code CaptureCounters.lostWhileStalled}): kafka drops. The other {@code kafka} drops are the
 * packets that left the ring and never reached the broker: those the producer took but could not
 * deliver (delivery timeout), and those still not handed over when the stop's close timeout
 * ({@code --kafka-timeout}, {@link KafkaTimeouts#SINK_CLOSE}) ran out. Every record carries the box's
 * counters ({@link BoxCounters}).
 */
public final class KafkaSink implements Runnable {
    /** A partial batch goes out after this long, so low rates still flow. */
    static final long LINGER_NANOS = 200_000_000L;
    private static final long WAIT_NANOS = 5_000_000L;
    private static final long NO_BROKER_NOTICE_NANOS = 5_000_000_000L;

    /**
     * What the records say about where their packets come from.
     *
     * @param live a live capture: the kernel's and interface's figures are known ({@link BoxCounters})
     */
    public record Origin(String box, String interfaceName, int linkType, boolean live) {
    }

    private final ByteRing ring;
    private final ByteRingConsumer consumer;
    private final RecordFraming framing;
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Origin origin;
    private final String bootstrap;
    private final CaptureCounters counters;
    private final RunControl control;
    private final Consumer<String> report;
    /** After the input ended, how long the producer may take to accept and deliver what is left. */
    private final Duration closeTimeout;
    private final byte[] scratch;
    private final MemorySegment scratchSegment;
    private final byte[] boxHeader;
    private final byte[] interfaceHeader;
    private final byte[] linkTypeHeader;

    private EpbBatch[] batches = new EpbBatch[0];
    private int[] firstHash = new int[0]; // per partition: the flow hash of its batch's first packet (the key)
    private int pending = -1;           // partition whose full batch the producer refused
    private long unsent;                // writer thread only: packets discarded when the stop's time ran out
    private volatile boolean refusing;  // the producer refuses now (status line); written on change only
    private long refusingSince;         // System.nanoTime() when the current refusal began
    private boolean stallNoticed;       // the current refusal has been told in a line
    private final Deliveries deliveries = new Deliveries(); // reported on the producer's thread
    private long foldedUnsent;
    private boolean noBrokerNoticed;
    /** The box's run in the records' {@code counters} header: when this sink was made, ns since the epoch. */
    private final long run;

    public KafkaSink(ByteRing ring, RecordFraming framing, Producer<byte[], byte[]> producer, String topic,
                     String bootstrap, Origin origin, CaptureCounters counters, RunControl control,
                     int maxCaplen, Duration closeTimeout, Consumer<String> report) {
        this.ring = ring;
        this.consumer = ring.consumer();
        this.framing = framing;
        this.producer = producer;
        this.topic = topic;
        this.bootstrap = bootstrap;
        this.origin = origin;
        this.counters = counters;
        this.control = control;
        this.report = report;
        this.closeTimeout = closeTimeout;
        this.scratch = new byte[maxCaplen];
        this.scratchSegment = MemorySegment.ofArray(scratch);
        this.boxHeader = utf8(origin.box());
        this.interfaceHeader = utf8(origin.interfaceName());
        this.linkTypeHeader = utf8(Integer.toString(origin.linkType()));
        java.time.Instant now = java.time.Instant.now();
        this.run = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Opens the producer (no connection yet: that happens in the background).
     *
     * @throws IllegalArgumentException with a one-line reason for a bootstrap list or setting the client rejects
     */
    public static Producer<byte[], byte[]> openProducer(Properties settings) {
        try {
            return new KafkaProducer<>(settings);
        } catch (KafkaException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException(cause.getMessage() == null ? e.getMessage() : cause.getMessage());
        }
    }

    public String describe() {
        return "kafka " + bootstrap + " topic " + topic + " (pcapng EPB batches of up to "
                + (ProducerSettings.RECORD_TARGET_BYTES >> 10) + " KiB, lz4)";
    }

    @Override
    public void run() {
        try {
            drain();
        } catch (RuntimeException e) {
            control.writerFailed("kafka: " + e.getMessage());
        } catch (Error e) {
            control.threadCrashed("writer", e);
            control.writerFailed("kafka: " + e);
        } finally {
            try {
                producer.close(closeTimeout);
            } catch (RuntimeException ignored) {
                // the batches it could not send failed through their callbacks: counted
            }
            discardAllBatches();
            fold();
        }
    }

    private void drain() {
        long started = System.nanoTime();
        long closingSince = -1;
        while (true) {
            boolean done = ring.producerDone();
            consumer.refresh();
            fold();
            long now = System.nanoTime();
            if (done || control.stopRequested()) {
                if (done && closingSince < 0) {
                    closingSince = now;
                }
            }
            boolean giveUp = closingSince >= 0 && now - closingSince > closeTimeout.toNanos();
            boolean progress = false;
            if (batches.length == 0 && !learnPartitions()) {
                if (!noBrokerNoticed && now - started > NO_BROKER_NOTICE_NANOS) {
                    noBrokerNoticed = true;
                    refused(true); // no broker yet: the ring holds the packets
                    report.accept("kafka: no broker at " + bootstrap + " has answered for topic " + topic
                            + " yet; packets wait in the ring");
                }
            } else {
                if (pending >= 0 && send(pending)) {
                    pending = -1;
                    refused(false);
                }
                if (pending < 0) {
                    progress = moveRecords(now);
                }
                if (pending < 0) {
                    sendAged(now, done);
                }
            }
            noticeStall(now);
            if (giveUp) {
                progress |= discardRest();
            }
            if (done && consumer.head() == consumer.tail() && pending < 0 && batchesEmpty()) {
                return; // close() in run() waits for the deliveries, up to closeTimeout
            }
            if (!progress) {
                consumer.awaitReadable(Math.max(1, ring.capacity() / 16), WAIT_NANOS);
            }
        }
    }

    /** True once the topic's partition count is known (the producer has its metadata). */
    private boolean learnPartitions() {
        List<PartitionInfo> partitions;
        try {
            partitions = producer.partitionsFor(topic);
        } catch (org.apache.kafka.common.errors.TimeoutException | NullPointerException e) {
            return false; // max.block.ms=0: not known yet; the producer keeps asking (see metadataRace)
        }
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        refused(false);
        batches = new EpbBatch[partitions.size()];
        firstHash = new int[partitions.size()];
        if (noBrokerNoticed) {
            report.accept("kafka: broker answered; topic " + topic + " has " + partitions.size() + " partitions");
        }
        return true;
    }

    /** Moves ring records into batches until the ring is empty or a full batch is refused. */
    private boolean moveRecords(long now) {
        boolean moved = false;
        long budget = ring.capacity() / 4; // come back to the checks now and then
        while (consumer.head() < consumer.tail() && budget > 0) {
            long position = consumer.head();
            long length = framing.recordLength(consumer, position);
            if (!framing.isPacket(consumer, position)) {
                consumer.release(length);
                continue;
            }
            int caplen = framing.capturedLength(consumer, position);
            consumer.copyTo(position + framing.dataOffset(consumer, position), scratchSegment, 0, caplen);
            int hash = FlowHash.of(scratchSegment, 0, caplen, origin.linkType());
            int partition = Math.floorMod(hash, batches.length);
            EpbBatch batch = batch(partition);
            if (!batch.fits(caplen) && !send(partition)) {
                pending = partition; // this record stays in the ring until the batch is taken
                refused(true);
                return moved;
            }
            if (batch.packets() == 0) {
                firstHash[partition] = hash;
            }
            batch.append(scratchSegment, 0, caplen, framing.originalLength(consumer, position),
                    framing.timestampNanos(consumer, position), now);
            consumer.release(length);
            budget -= length;
            moved = true;
        }
        return moved;
    }

    private EpbBatch batch(int partition) {
        EpbBatch batch = batches[partition];
        if (batch == null) {
            batch = new EpbBatch(ProducerSettings.RECORD_TARGET_BYTES);
            batches[partition] = batch;
        }
        return batch;
    }

    private void sendAged(long now, boolean done) {
        for (int p = 0; p < batches.length; p++) {
            EpbBatch batch = batches[p];
            if (batch != null && batch.packets() > 0
                    && (done || control.stopRequested() || now - batch.startedAtNanos() >= LINGER_NANOS)) {
                if (!send(p)) {
                    pending = p;
                    refused(true);
                    return;
                }
            }
        }
    }

    /** Hands partition {@code p}'s batch to the producer; false (batch kept) when it has no room now. */
    private boolean send(int p) {
        EpbBatch batch = batches[p];
        if (batch.packets() == 0) {
            return true;
        }
        RecordHeaders headers = headers();
        headers.add(KafkaRecordFormat.FIRST, utf8(Long.toString(batch.firstNanos())));
        headers.add(KafkaRecordFormat.LAST, utf8(Long.toString(batch.lastNanos())));
        byte[] key = KafkaRecordFormat.key(firstHash[p]);
        Deliveries.Delivery delivery = deliveries.of(batch.packets(), batch.size());
        // The record's timestamp is the send time (the producer's clock), not packet time: the broker's
        // time retention must count from when packets reached Kafka, or an old capture read with
        // --read would be deleted at once. Packet times are in the headers.
        try {
            producer.send(new ProducerRecord<>(topic, p, null, key, batch.toValue(), headers), delivery);
        } catch (NullPointerException metadataRace) {
            // kafka-clients' metadata wait can meet a topic whose error it has just checked and no
            // longer finds (ProducerMetadata.getError returns null while an auto-created topic's
            // metadata settles; seen once in KafkaLiveTest with max.block.ms=0). The record was not
            // taken: it is a refusal like a full buffer, and the batch is sent again.
            return false;
        }
        if (delivery.refused) {
            return false;
        }
        batch.reset();
        return true;
    }

    /** The headers every record has: where its packets come from, their format, the box's counters now. */
    private RecordHeaders headers() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaRecordFormat.BOX, boxHeader);
        headers.add(KafkaRecordFormat.INTERFACE, interfaceHeader);
        headers.add(KafkaRecordFormat.LINK_TYPE, linkTypeHeader);
        headers.add(KafkaRecordFormat.FORMAT, KafkaRecordFormat.FORMAT_VALUE);
        headers.add(KafkaRecordFormat.COUNTERS, utf8(BoxCounters.of(run, counters, origin.live()).text()));
        return headers;
    }

    /** The producer started or stopped refusing batches (counted once per refusal; a long one is told). */
    private void refused(boolean now) {
        if (now && !refusing) {
            refusingSince = System.nanoTime();
        }
        if (!now && refusing && stallNoticed) {
            stallNoticed = false;
            report.accept("kafka: the producer takes records again after "
                    + (System.nanoTime() - refusingSince) / 1_000_000_000L + " s");
        }
        if (now != refusing) {
            refusing = now;
        }
    }

    /** One line once the producer has refused for {@link #NO_BROKER_NOTICE_NANOS} (a broker gone, paused or too slow). */
    private void noticeStall(long now) {
        if (refusing && !stallNoticed && batches.length > 0 && now - refusingSince > NO_BROKER_NOTICE_NANOS) {
            stallNoticed = true;
            report.accept("kafka: the producer has taken no record for " + (now - refusingSince) / 1_000_000_000L
                    + " s (the broker at " + bootstrap + " is gone, paused or too slow); packets wait in the ring");
        }
    }

    /**
     * The stop's time ran out: the batches and every record left in the ring are discarded, their
     * packets counted as kafka drops (not sent).
     */
    private boolean discardRest() {
        boolean discarded = !batchesEmpty() || consumer.readable() > 0;
        discardAllBatches();
        while (consumer.readable() > 0) {
            long position = consumer.head();
            if (framing.isPacket(consumer, position)) {
                unsent++;
            }
            consumer.release(framing.recordLength(consumer, position));
        }
        return discarded;
    }

    private void discardAllBatches() {
        for (EpbBatch batch : batches) {
            if (batch != null) {
                unsent += batch.packets();
                batch.reset();
            }
        }
        pending = -1;
    }

    private boolean batchesEmpty() {
        for (EpbBatch batch : batches) {
            if (batch != null && batch.packets() > 0) {
                return false;
            }
        }
        return true;
    }

    /** Brings the producer thread's figures into the counters (writer thread: their one writer). */
    private void fold() {
        deliveries.foldInto(counters);
        counters.kafkaUnsent.add(unsent - foldedUnsent);
        foldedUnsent = unsent;
    }

    /** True while the producer refuses batches (its buffer is full, or no broker answers): the ring fills. Any thread. */
    public boolean refusing() {
        return refusing;
    }

    /** The last reason the producer gave for a record it could not deliver, or null. */
    public String lastFailure() {
        return deliveries.lastFailure();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
