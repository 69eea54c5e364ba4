package gulp.kafka;

import java.time.Duration;

/**
 * How long gulp waits for a Kafka broker by default ({@code --kafka-timeout} overrides both).
 * Kept apart from the classes that use kafka-clients so that concluding a run's settings never
 * loads a Kafka class: a run without Kafka needs none of its jars.
 */
public final class KafkaTimeouts {
    /** {@code --kafka}: the last deliveries when the run ends. */
    public static final Duration SINK_CLOSE = Duration.ofSeconds(10);
    /** {@code kafka-consume}: the topic, the committed offsets and each commit. */
    public static final Duration CONSUME = Duration.ofSeconds(30);

    private KafkaTimeouts() {
    }
}
