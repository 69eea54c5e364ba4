package gulp.cli;

import gulp.output.FsyncPolicy;
import gulp.run.Options;

import java.util.List;

/**
 * {@code --kafka BOOTSTRAP --kafka-topic T} (publish instead of writing files) and
 * {@code gulp kafka-consume BOOTSTRAP --topic T -o DIR} (rebuild files from a topic): the
 * subcommand word, its one operand and the combinations Kafka refuses (docs/kafka.md). The
 * options themselves are in {@link OptionTable}.
 */
final class KafkaCommand {
    static final String CONSUME = "kafka-consume";

    private KafkaCommand() {
    }

    static boolean isConsume(String[] args) {
        return args.length > 0 && args[0].equals(CONSUME);
    }

    /** kafka-consume's operand: one bootstrap list. */
    static void takeBootstrap(Options o, List<String> operands) throws UsageException {
        if (operands.size() != 1) {
            throw new UsageException("kafka-consume takes one BOOTSTRAP list (host:port[,host:port...])");
        }
        o.kafkaConsumeBootstrap = operands.getFirst();
    }

    /** --kafka needs a topic, and is the run's output (no -o, no -c); kafka-consume's needs. */
    static void check(Options o) throws UsageException {
        if (o.kafkaConsumeBootstrap == null && (o.consumeTopic != null || o.consumeGroup != null)) {
            throw new UsageException("--topic and --group belong to gulp kafka-consume");
        }
        if (o.kafkaConsumeBootstrap != null) {
            if (o.consumeTopic == null || o.consumeTopic.isBlank()) {
                throw new UsageException("kafka-consume needs --topic T");
            }
            if (o.outputDirectory == null) {
                throw new UsageException("kafka-consume needs -o DIR");
            }
            if (o.kafkaBootstrap != null || o.opaqueCopy || o.filter != null || o.decapsulate || o.interfaceName != null
                    || !o.readFiles.isEmpty()) {
                throw new UsageException("kafka-consume reads its topic only: no -i, --read, -c, -f, -d or --kafka");
            }
            if (o.fsync == FsyncPolicy.NEVER) {
                throw new UsageException("kafka-consume commits offsets once a file is on disk: --fsync never cannot be used");
            }
            return;
        }
        boolean anyKafka = o.kafkaTopic != null || o.kafkaClientId != null || !o.kafkaOptions.isEmpty();
        if (o.kafkaBootstrap == null) {
            if (anyKafka) {
                throw new UsageException("--kafka-topic, --kafka-client-id and --kafka-option need --kafka BOOTSTRAP");
            }
            if (o.kafkaTimeoutSeconds > 0) {
                throw new UsageException("--kafka-timeout needs --kafka BOOTSTRAP or gulp kafka-consume");
            }
            return;
        }
        if (o.kafkaBootstrap.isBlank()) {
            throw new UsageException("--kafka takes a bootstrap list such as broker1:9092,broker2:9092");
        }
        if (o.kafkaTopic == null || o.kafkaTopic.isBlank()) {
            throw new UsageException("--kafka needs --kafka-topic T");
        }
        if (o.outputDirectory != null || o.opaqueCopy) {
            throw new UsageException("--kafka is the run's output: it cannot be combined with " + (o.opaqueCopy ? "-c" : "-o"));
        }
    }
}
