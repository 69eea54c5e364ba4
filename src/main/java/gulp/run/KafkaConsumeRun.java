package gulp.run;

import gulp.capture.InputException;
import gulp.kafka.ConsumeLedger;
import gulp.kafka.KafkaCommitter;
import gulp.kafka.KafkaSource;
import gulp.output.FileNamer;
import gulp.output.OutputException;
import gulp.output.PartFileRecovery;
import gulp.output.RotatingFileSink;
import gulp.stats.CaptureCounters;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * kafka: {@code gulp kafka-consume BOOTSTRAP --topic T -o DIR}: files rebuilt from a topic through the
 * ring, writer and {@code -o} machinery of every run; offsets committed by {@link KafkaCommitter} when
 * a file is on disk, before its rename. On start, the leftovers of a killed run are made to agree with
 * the commits: the {@code .NAME.part} the last commit names is finished (its packets are committed);
 * any other of this run's {@code .part} files is removed (its packets were not committed and are read
 * again).
 */
final class KafkaConsumeRun {
    private KafkaConsumeRun() {
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        Options options = assembly.options();
        String topic = options.consumeTopic;
        String group = options.consumeGroup != null ? options.consumeGroup : "gulp-kafka-consume-" + topic;
        KafkaCommitter committer;
        try {
            committer = KafkaCommitter.open(options.kafkaConsumeBootstrap, group, assembly.settings().kafkaTimeout());
        } catch (IllegalArgumentException e) {
            return Outcome.failure(Outcome.Status.BAD_USAGE, "kafka: " + e.getMessage());
        }
        try (committer) {
            Map<TopicPartition, OffsetAndMetadata> committed;
            try {
                committed = committer.committed(topic);
                removeUncommittedParts(assembly, KafkaCommitter.lastDurableFile(committed));
            } catch (IllegalStateException e) {
                return Outcome.failure(Outcome.Status.BAD_INPUT, e.getMessage());
            } catch (OutputException e) {
                return Outcome.failure(Outcome.Status.BAD_USAGE, e.getMessage());
            } catch (IOException e) {
                return Outcome.failure(Outcome.Status.OUTPUT_FAILED, "cannot clean up " + options.outputDirectory + ": " + e.getMessage());
            }
            CaptureCounters counters = new CaptureCounters();
            ConsumeLedger ledger = new ConsumeLedger(topic, counters.recordsWritten::get);
            committer.use(ledger);
            KafkaSource source;
            long started = System.nanoTime();
            long duration = (long) (options.durationSeconds * 1e9);
            try { // until the first record, only --duration ends the wait (a signal ends the process)
                source = KafkaSource.open(options.kafkaConsumeBootstrap, topic, group,
                        options.reorderWindowMillis * 1_000_000L, ledger, committed, assembly.settings().kafkaTimeout(), options.snaplen,
                        () -> duration > 0 && System.nanoTime() - started > duration);
            } catch (InputException e) {
                return Outcome.failure(Outcome.Status.BAD_INPUT, e.getMessage());
            }
            if (source == null) {
                assembly.message("kafka-consume: no new record in " + topic + " before --duration ended");
                return finishCommittedPart(assembly);
            }
            return FileRun.runFrom(assembly, source, counters, run -> {
                if (run.output().sink() instanceof RotatingFileSink files) {
                    files.setFileListener(committer);
                }
            });
        }
    }

    /**
     * With no new record the output is never opened, so the {@code .part} the last commit names (a
     * commit that reached the broker although the run that made it saw it fail or was killed) is
     * finished here, as opening the output would.
     */
    private static Outcome finishCommittedPart(RunAssembly assembly) {
        Options options = assembly.options();
        Path directory = Path.of(options.outputDirectory);
        if (!Files.isDirectory(directory)) {
            return Outcome.OK;
        }
        try {
            PartFileRecovery.recoverAll(directory, Outputs.fileNamer(options, options.namePrefix), assembly::message);
            return Outcome.OK;
        } catch (OutputException e) {
            return Outcome.failure(Outcome.Status.BAD_USAGE, e.getMessage());
        } catch (IOException e) {
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED, "cannot finish the files in " + directory + ": " + e.getMessage());
        }
    }

    /** Removes this run's {@code .part} files other than the one of {@code committedFile} (which recovery finishes). */
    private static void removeUncommittedParts(RunAssembly assembly, String committedFile) throws IOException, OutputException {
        Options options = assembly.options();
        Path directory = Path.of(options.outputDirectory);
        if (!Files.isDirectory(directory)) {
            return; // the sink says so
        }
        FileNamer namer = Outputs.fileNamer(options, options.namePrefix);
        List<Path> parts;
        try (Stream<Path> files = Files.list(directory)) {
            parts = files.filter(p -> {
                String name = FileNamer.finalNameOfPart(p.getFileName().toString());
                return name != null && namer.makes(name) && !name.equals(committedFile);
            }).sorted().toList();
        }
        for (Path part : parts) {
            assembly.message("kafka-consume: removing " + part.getFileName()
                    + ": its packets were not committed and are read again");
            Files.deleteIfExists(part);
            PartFileRecovery.removeIndexSoFar(part);
        }
    }
}
