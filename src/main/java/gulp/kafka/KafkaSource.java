package gulp.kafka;

import gulp.capture.InputException;
import gulp.capture.PacketHandler;
import gulp.capture.Source;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * {@code gulp kafka-consume}'s input: the records of every partition of a topic (written by
 * {@code --kafka} on one or many capture boxes), their packets merged in timestamp order within a
 * reordering window of packet time, handed to the ordinary packet path and ring. Offsets are never
 * committed here: {@link KafkaCommitter} commits them when a file is durable, from the
 * {@link ConsumeLedger}. Reading starts at the committed offsets, skipping the packets the commit's
 * metadata says are in files already. Each capture box and interface (the records' {@code box} and
 * {@code interface} headers) is an interface of its own for the output ({@code BOX:INTERFACE}, a
 * pcapng interface description with {@code --format pcapng}), declared when its first packet goes out.
 */
public final class KafkaSource implements Source {
    private static final Duration POLL = Duration.ofMillis(100);

    /** Where a record's packets were captured: its {@code box} and {@code interface} headers. */
    record Origin(String box, String interfaceName) {
        /** The output interface's name, {@code BOX:INTERFACE}. */
        String name() {
            return box + ":" + interfaceName;
        }
    }

    /** One record's packets not yet handed over, in order. */
    private static final class Cursor {
        final int partition;
        final long offset;
        final Origin origin;
        final MemorySegment value;
        final int[] starts;
        int next;
        long timestamp;

        Cursor(int partition, long offset, Origin origin, byte[] value, int[] starts, int first) {
            this.partition = partition;
            this.offset = offset;
            this.origin = origin;
            this.value = MemorySegment.ofArray(value);
            this.starts = starts;
            this.next = first;
            this.timestamp = first < starts.length ? EpbBatch.timestampAt(this.value, starts[first]) : 0;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String bootstrap;
    private final String topic;
    private final String group;
    private final long windowNanos;
    private final ConsumeLedger ledger;
    private final Map<TopicPartition, Map<Long, Integer>> prefixes;
    private final PriorityQueue<Cursor> merge = new PriorityQueue<>(Comparator.comparingLong((Cursor c) -> c.timestamp)
            .thenComparingInt(c -> c.partition).thenComparingLong(c -> c.offset));
    private final List<ConsumerRecord<byte[], byte[]>> early = new ArrayList<>();
    private final int partitions;
    private final int snaplen;
    /** Output interface id of each origin, as the packet handler declared it. */
    private final Map<Origin, Integer> interfaces = new HashMap<>();
    /** The capture boxes' own counters, per output interface (their records' counters headers). */
    private final BoxFigures boxFigures = new BoxFigures();
    private int linkType = -1;
    private long newestTimestamp = Long.MIN_VALUE;
    private long recordsRead;
    private long recordsSkipped;
    private String skippedWhy;

    private KafkaSource(KafkaConsumer<byte[], byte[]> consumer, String bootstrap, String topic, String group,
                        long windowNanos, ConsumeLedger ledger, Map<TopicPartition, OffsetAndMetadata> committed,
                        int partitions, int snaplen) {
        this.consumer = consumer;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.group = group;
        this.windowNanos = windowNanos;
        this.ledger = ledger;
        this.partitions = partitions;
        this.snaplen = snaplen;
        this.prefixes = new HashMap<>();
        committed.forEach((tp, om) -> prefixes.put(tp, ConsumeLedger.durablePrefixes(om)));
    }

    /** Consumer settings: manual assignment, no automatic commits, from the beginning when nothing is committed. */
    static Properties consumerSettings(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /**
     * Assigns every partition of {@code topic}, positions each at its committed offset, and waits for
     * the first record (its link type is the output's).
     *
     * @param snaplen the output's snap length, for the interfaces' descriptions
     * @return null when {@code stop} said so before a record came
     * @throws InputException with one line when the topic cannot be read
     */
    public static KafkaSource open(String bootstrap, String topic, String group, long windowNanos, ConsumeLedger ledger,
                                   Map<TopicPartition, OffsetAndMetadata> committed, Duration waitForTopic, int snaplen,
                                   BooleanSupplier stop) throws InputException {
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = new KafkaConsumer<>(consumerSettings(bootstrap, group));
        } catch (KafkaException e) {
            throw new InputException("kafka: " + rootMessage(e));
        }
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, waitForTopic);
            if (infos == null || infos.isEmpty()) {
                throw new InputException("kafka: topic " + topic + " does not exist at " + bootstrap);
            }
            List<TopicPartition> assigned = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(assigned);
            KafkaSource source = new KafkaSource(consumer, bootstrap, topic, group, windowNanos, ledger, committed,
                    assigned.size(), snaplen);
            List<TopicPartition> fromStart = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata c = committed.get(tp);
                if (c != null) {
                    consumer.seek(tp, c.offset());
                } else {
                    fromStart.add(tp);
                }
            }
            if (!fromStart.isEmpty()) { // an empty list would mean every partition
                consumer.seekToBeginning(fromStart);
            }
            for (TopicPartition tp : assigned) {
                ledger.start(tp.partition(), consumer.position(tp, waitForTopic));
            }
            if (!source.awaitFirstRecord(stop)) {
                consumer.close(Duration.ZERO);
                return null;
            }
            return source;
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new InputException("kafka: cannot read topic " + topic + " at " + bootstrap + ": " + rootMessage(e));
        } catch (InputException | RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private boolean awaitFirstRecord(BooleanSupplier stop) {
        while (linkType < 0) {
            if (stop.getAsBoolean()) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                early.add(record);
                if (linkType < 0 && KafkaRecordFormat.FORMAT_TEXT.equals(
                        KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.FORMAT))) {
                    linkType = parseOr(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.LINK_TYPE), -1);
                }
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return "kafka " + bootstrap + " topic " + topic + " (" + partitions + " partitions, group " + group
                + ", reordering window " + windowNanos / 1_000_000 + " ms)";
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public boolean waitsWhenFull() {
        return true;
    }

    @Override
    public void run(PacketHandler handler) {
        for (ConsumerRecord<byte[], byte[]> record : early) {
            take(record);
        }
        early.clear();
        emit(handler, false);
        while (!handler.stopRequested()) {
            int count = 0;
            try {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    take(record);
                    count++;
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                Thread.interrupted(); // the stop path interrupts the reader: what was read still goes out
                break;
            }
            emit(handler, count == 0); // caught up: nothing to wait for, everything goes out
        }
        emit(handler, true);
    }

    /** Reads one record into the merge (or skips it, counted, when it is not gulp's or of another link type). */
    private void take(ConsumerRecord<byte[], byte[]> record) {
        recordsRead++;
        Map<Long, Integer> skip = prefixes.get(new TopicPartition(record.topic(), record.partition()));
        int already = skip == null ? 0 : skip.getOrDefault(record.offset(), 0);
        int[] starts;
        String format = KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.FORMAT);
        int type = parseOr(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.LINK_TYPE), -1);
        try {
            if (!KafkaRecordFormat.FORMAT_TEXT.equals(format) || record.value() == null) {
                throw new IllegalArgumentException("not a gulp record (format " + format + ")");
            }
            if (type != linkType) {
                throw new IllegalArgumentException("link type " + type + ", not " + linkType);
            }
            starts = EpbBatch.blockStarts(record.value());
        } catch (IllegalArgumentException e) {
            recordsSkipped++;
            skippedWhy = "partition " + record.partition() + " offset " + record.offset() + ": " + e.getMessage();
            ledger.read(record.partition(), record.offset(), 0, 0);
            return;
        }
        int first = Math.min(already, starts.length);
        ledger.read(record.partition(), record.offset(), starts.length, first);
        Origin origin = new Origin(textOr(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.BOX), "unknown"),
                textOr(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.INTERFACE), "unknown"));
        boxFigures.note(origin, BoxCounters.parse(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.COUNTERS)));
        if (first < starts.length) {
            Cursor cursor = new Cursor(record.partition(), record.offset(), origin, record.value(), starts, first);
            merge.add(cursor);
            long last = EpbBatch.timestampAt(cursor.value, starts[starts.length - 1]);
            newestTimestamp = Math.max(newestTimestamp, last);
        }
    }

    /** Hands over, oldest first, every packet older than the window behind the newest (all when {@code all}). */
    private void emit(PacketHandler handler, boolean all) {
        long watermark = all ? Long.MAX_VALUE : newestTimestamp - windowNanos;
        while (!merge.isEmpty() && merge.peek().timestamp <= watermark) {
            Cursor c = merge.poll();
            handler.selectInterface(interfaceOf(c.origin, handler));
            int n = 0;
            do { // the rest of this record while it stays the oldest
                int start = c.starts[c.next];
                handler.onPacket(c.value, EpbBatch.dataAt(start), EpbBatch.capturedLengthAt(c.value, start),
                        EpbBatch.originalLengthAt(c.value, start), c.timestamp, PacketHandler.NO_VLAN_TAG);
                n++;
                c.next++;
                if (c.next < c.starts.length) {
                    c.timestamp = EpbBatch.timestampAt(c.value, c.starts[c.next]);
                }
            } while (c.next < c.starts.length && c.timestamp <= watermark
                    && (merge.isEmpty() || c.timestamp <= merge.peek().timestamp));
            ledger.emitted(c.partition, c.offset, n);
            if (c.next < c.starts.length) {
                merge.add(c);
            }
        }
        handler.onBatchEnd();
    }

    /** The output interface of {@code origin}, declared to {@code handler} the first time (once per record, not per packet). */
    private int interfaceOf(Origin origin, PacketHandler handler) {
        Integer id = interfaces.get(origin);
        if (id == null) {
            id = handler.declareInterface(new gulp.format.CaptureInterface(origin.name(), "interface "
                    + origin.interfaceName() + " of capture box " + origin.box() + ", from Kafka topic " + topic,
                    linkType, snaplen, null));
            interfaces.put(origin, id);
            boxFigures.declared(id, origin);
        }
        return id;
    }

    /** Each output interface's figures are its capture box's own ({@link BoxFigures}). */
    @Override
    public gulp.stats.InterfaceFigures interfaceFigures() {
        return boxFigures;
    }

    private static String textOr(String s, String otherwise) {
        return s == null || s.isBlank() ? otherwise : s;
    }

    @Override
    public void appendSummary(StringBuilder report) {
        report.append(recordsRead).append(" kafka records read\n");
        if (recordsSkipped > 0) {
            report.append(recordsSkipped).append(" kafka records skipped (last: ").append(skippedWhy).append(")\n");
        }
    }

    @Override
    public void close() {
        Thread.interrupted(); // a stop's interrupt must not cut the close short
        consumer.close(Duration.ofSeconds(5));
    }

    /** The partitions of the topic, for the committer (after {@link #open}). */
    public Set<TopicPartition> partitions() {
        return new HashSet<>(consumer.assignment());
    }

    private static int parseOr(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? e.toString() : cause.getMessage();
    }
}
