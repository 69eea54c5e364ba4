package gulp.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.List;
import java.util.Properties;

/**
 * The producer settings of {@code --kafka}, chosen for a capture box (docs/kafka.md explains each);
 * {@code --kafka-option KEY=VALUE} overrides any of them.
 */
public final class ProducerSettings {
    /** A record value (a batch of EPBs) is sent once the next packet would take it past this. */
    public static final int RECORD_TARGET_BYTES = 512 * 1024;
    /** The producer's batch: one record value and its framing, so a batch is one record (and under 1 MiB). */
    static final int PRODUCER_BATCH_BYTES = RECORD_TARGET_BYTES + 64 * 1024;
    /** Producer memory for records not yet acknowledged; beyond it the ring holds the packets. */
    static final long BUFFER_MEMORY = 64L << 20;

    private ProducerSettings() {
    }

    /**
     * @throws IllegalArgumentException with a one-line reason for a KEY=VALUE that is malformed or
     *                                  names no producer setting
     */
    public static Properties of(String bootstrap, String clientId, List<String> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // No loss or duplication between producer and broker: every in-sync replica has a record
        // before it counts as sent, and retries cannot duplicate or reorder (idempotence keeps
        // order with up to 5 requests in flight per partition).
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        // lz4: cheap on CPU at capture rates, and its natives are the only ones gulp ships.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(PRODUCER_BATCH_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(BUFFER_MEMORY));
        // send() never waits: with no room (or no metadata yet) it fails at once, and the packets
        // stay in gulp's ring until the producer has room again.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
        // A broker that comes back is found within a second.
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "30000");
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka-option takes KEY=VALUE, not '" + override + "'");
            }
            String key = override.substring(0, eq).trim();
            if (!ProducerConfig.configNames().contains(key)) {
                throw new IllegalArgumentException("--kafka-option: '" + key + "' is not a Kafka producer setting");
            }
            p.put(key, override.substring(eq + 1).trim());
        }
        return p;
    }
}
