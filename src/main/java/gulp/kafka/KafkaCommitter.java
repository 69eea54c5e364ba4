package gulp.kafka;

import gulp.output.FileListener;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Commits {@code kafka-consume}'s offsets, from the finisher thread, once a file is forced to disk and
 * before it is renamed (docs/kafka.md, "Exactly once"). A consumer of its own, used only for
 * committing and for reading the commits at start-up: the reading consumer stays on the reader
 * thread. Both use manual assignment, so the group has no members and either may commit.
 */
public final class KafkaCommitter implements FileListener, AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private volatile ConsumeLedger ledger;

    private KafkaCommitter(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    /**
     * @param timeout how long to wait for the broker's answer to each request
     * @throws IllegalArgumentException with one line for a bootstrap list the client rejects
     */
    public static KafkaCommitter open(String bootstrap, String group, Duration timeout) {
        try {
            return new KafkaCommitter(new KafkaConsumer<>(KafkaSource.consumerSettings(bootstrap, group)), timeout);
        } catch (KafkaException e) {
            throw new IllegalArgumentException(KafkaSource.rootMessage(e));
        }
    }

    /**
     * The committed offset (and metadata) of every partition of {@code topic} that has one.
     *
     * @throws IllegalStateException with one line when the broker or topic does not answer in time
     */
    public Map<TopicPartition, OffsetAndMetadata> committed(String topic) {
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("kafka: topic " + topic + " does not exist");
            }
            Set<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .collect(Collectors.toSet());
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            consumer.committed(partitions, timeout).forEach((tp, om) -> {
                if (om != null) {
                    committed.put(tp, om);
                }
            });
            return committed;
        } catch (KafkaException e) {
            throw new IllegalStateException("kafka: cannot read the committed offsets of " + topic + ": "
                    + KafkaSource.rootMessage(e));
        }
    }

    /** The last file the commits say was made durable (null when none). */
    public static String lastDurableFile(Map<TopicPartition, OffsetAndMetadata> committed) {
        return committed.values().stream().map(ConsumeLedger::fileOf).filter(Objects::nonNull).findFirst().orElse(null);
    }

    public void use(ConsumeLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void handedOver(Path target) {
        ledger.handedOver(target.getFileName().toString());
    }

    @Override
    public void forced(Path target) throws IOException {
        Map<TopicPartition, OffsetAndMetadata> commit = ledger.durable(target.getFileName().toString());
        try {
            consumer.commitSync(commit, timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IOException("kafka: cannot commit the offsets of its packets: no broker answered within "
                    + seconds(timeout) + " s (the file stays .part: a restart finishes it if the commit reached the broker after all,"
                    + " else reads its packets again)", e);
        } catch (KafkaException e) {
            throw new IOException("kafka: cannot commit the offsets of its packets: " + KafkaSource.rootMessage(e), e);
        }
    }

    /** {@code d} in seconds as an operator wrote it: 30, 2.5. */
    private static String seconds(Duration d) {
        return d.toNanos() % 1_000_000_000L == 0 ? Long.toString(d.toSeconds())
                : java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
