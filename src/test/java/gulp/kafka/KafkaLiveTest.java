package gulp.kafka;

import gulp.linux.TestLibc;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.Tools;
import gulp.testing.VethPair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Live capture on a veth pair into a broker paused (SIGSTOP) during a burst. A Kafka stall fills the
 * ring as a disk stall does: with the kernel ring holding blocks (the default) a burst both rings can
 * hold costs nothing; with {@code --no-hold-kernel-blocks} and a small ring every packet captured is
 * either acknowledged by the broker (and read back) or counted "ring full" and, lost while the
 * producer refused, a kafka drop, and the exit status says so. The broker runs in the
 * capture namespace.
 */
class KafkaLiveTest {
    private static final int WARM_UP = 100;
    private static final int COUNT = 20_000;
    private static final int TOTAL = WARM_UP + COUNT;
    /** Of COUNT, those sent first, until the producer refuses: 700 KB, which even a 1 MiB ring holds. */
    private static final int PRIME = 700;

    @Test
    void brokerPausedDuringABurstLosesNothingTheRingsHoldAndCountsRingFullDropsExactlyWhenTheyCannot(@TempDir Path dir)
            throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root and veth pairs");
        try (VethPair bed = VethPair.create()) {
            Tools.check("ip", "-n", bed.captureNamespace, "link", "set", "lo", "up");
            KafkaTestBroker.Started broker = KafkaTestBroker.start(List.of("ip", "netns", "exec", bed.captureNamespace));
            try {
                // 20 MB of frames; the kernel ring (64 MiB) and the ring (16 MiB) hold them while the broker sleeps.
                Run held = burstWhilePaused(bed, broker, dir.resolve("held.txt"), UNTIL_NOTICED, "-B", "64", "-r", "16");
                assertEquals(0, held.status(), held.why());
                assertTrue(held.why().contains("gulp: kafka: the producer has taken no record for "), held.why());
                assertTrue(held.why().contains("gulp: kafka: the producer takes records again after "), held.why());
                assertEquals(TOTAL, held.counter("packets captured"), held.why());
                assertEquals(TOTAL, held.counter("records written"), held.why());
                assertEquals(0, held.counter("records dropped (ring full)") + held.counter("packets dropped by the kernel")
                        + held.counter("records dropped (kafka)"), held.why());
                assertEquals(TOTAL, readBack(bed, broker, held), held.why());

                // A 1 MiB ring that may not hold kernel blocks: it overflows, counted "ring full".
                Run dropping = burstWhilePaused(bed, broker, dir.resolve("dropping.txt"), 1000, "-r", "1",
                        "--no-hold-kernel-blocks");
                long ringFull = dropping.counter("records dropped (ring full)");
                long written = dropping.counter("records written");
                assertTrue(ringFull > 0, dropping.why());
                assertEquals(4, dropping.status(), dropping.why());
                // Every ring-full drop happened while the producer refused: a kafka drop (stalled) too.
                assertEquals(ringFull, dropping.counter("records dropped (kafka, stalled)"), dropping.why());
                assertEquals(dropping.counter("packets captured"), written + dropping.counter("records dropped (kafka)"),
                        dropping.why());
                assertTrue(dropping.why().contains("packets could not be sent to Kafka (while Kafka could not take them: ring full "
                        + ringFull + ", kernel 0;"), dropping.why());
                assertEquals(written, readBack(bed, broker, dropping), dropping.why());
            } finally {
                broker.kill();
            }
        }
    }

    record Run(String topic, int status, Map<String, Long> counters, String why) {
        long counter(String name) {
            Long value = counters.get(name);
            return value == null ? 0 : value;
        }
    }

    /** {@link #burstWhilePaused}'s pause after the burst: until gulp says the producer has taken no record for 5 s. */
    static final long UNTIL_NOTICED = -1;

    /**
     * One gulp run into a new topic; the broker is paused while COUNT frames are sent (the burst
     * after the first PRIME, once the producer refuses), and {@code afterMillis} more (or
     * {@link #UNTIL_NOTICED}).
     */
    static Run burstWhilePaused(VethPair bed, KafkaTestBroker.Started broker, Path stderr, long afterMillis,
                                        String... options)
            throws Exception {
        String topic = KafkaSinkTest.topic();
        Path stats = Path.of(stderr + ".stats.jsonl");
        List<String> args = new ArrayList<>(List.of("--kafka", broker.bootstrap(), "--kafka-topic", topic,
                "--kafka-option", "buffer.memory=1048576", "--stats-json", stats.toString()));
        args.addAll(List.of(options));
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, null, stderr, args.toArray(String[]::new))) {
            // A few packets first, acknowledged by the broker: the producer knows the (auto-created) topic.
            assertEquals(WARM_UP, (long) NamespaceSender.send(bed.senderNamespace, bed.senderInterface, COUNT, WARM_UP,
                    KafkaLiveTest::frame, 20_000, new AtomicLong()).get(90, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (written(stats) < WARM_UP && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(WARM_UP, written(stats), gulp.stderrOrReason());
            KafkaSinkTest.signal("STOP", broker.process().pid());
            try {
                // First a few packets that any ring holds, until the producer refuses (its 1 MiB buffer
                // takes one batch, the next is refused once a batch is due): the burst then meets a
                // producer known to refuse. Else the ring could fill before the sink gets that far
                // (a sink short of CPU on a busy machine), a ring-full drop that is not the stall's.
                assertEquals(PRIME, (long) NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, PRIME,
                        KafkaLiveTest::frame, 20_000, new AtomicLong()).get(90, TimeUnit.SECONDS));
                long refusalDeadline = System.nanoTime() + 60_000_000_000L;
                while (KafkaSinkTest.figure(stats, "gulp_kafka_refusing") != 1 && System.nanoTime() < refusalDeadline) {
                    Thread.sleep(50);
                }
                assertEquals(1, KafkaSinkTest.figure(stats, "gulp_kafka_refusing"), gulp.stderrOrReason());
                long sent = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, PRIME, COUNT - PRIME,
                        KafkaLiveTest::frame, 20_000, new AtomicLong()).get(90, TimeUnit.SECONDS);
                assertEquals(COUNT - PRIME, sent);
                if (afterMillis == UNTIL_NOTICED) {
                    long noticeDeadline = System.nanoTime() + 60_000_000_000L;
                    while (!gulp.stderrText().contains("gulp: kafka: the producer has taken no record for ")
                            && System.nanoTime() < noticeDeadline) {
                        Thread.sleep(50);
                    }
                } else {
                    Thread.sleep(afterMillis);
                }
            } finally {
                KafkaSinkTest.signal("CONT", broker.process().pid());
            }
            awaitCaughtUp(stats);
            gulp.signal("INT");
            int status = gulp.waitFor(60);
            return new Run(topic, status, gulp.counters(), gulp.stderrOrReason());
        }
    }

    /**
     * Until the sink has caught up after the pause: the producer takes records, gulp's ring is empty,
     * and the reader read nothing more for half a second (two status ticks), so no kernel block is left.
     */
    private static void awaitCaughtUp(Path stats) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long read = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = KafkaSinkTest.figure(stats, "gulp_read_packets_total");
            if (KafkaSinkTest.figure(stats, "gulp_kafka_refusing") == 0 && KafkaSinkTest.figure(stats, "gulp_ring_used_bytes") == 0
                    && now == read) {
                return;
            }
            read = now;
        }
    }

    /** The records written (acknowledged by the broker) in the last {@code --stats-json} line so far. */
    private static long written(Path stats) throws java.io.IOException {
        if (!java.nio.file.Files.exists(stats)) {
            return 0;
        }
        List<String> lines = java.nio.file.Files.readAllLines(stats);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"gulp_written_records_total\":(\\d+)")
                .matcher(lines.isEmpty() ? "" : lines.getLast());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Packets of the run's topic, read in the capture namespace. */
    static long readBack(VethPair bed, KafkaTestBroker.Started broker, Run run) throws Exception {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                TestLibc.enterNetworkNamespace(bed.captureNamespace);
                read.complete(KafkaSinkTest.consume(broker.bootstrap(), run.topic(), (int) run.counter("records written"),
                        bed.captureInterface).size());
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        });
        return read.get(90, TimeUnit.SECONDS);
    }

    private static byte[] frame(int i) {
        byte[] f = KafkaSinkTest.frame(1, 100 + i % 12, 2000 + i % 12, 80, i);
        return Arrays.copyOf(f, 1000);
    }
}
