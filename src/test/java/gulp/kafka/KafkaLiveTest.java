package gulp.kafka;

import gulp.linux.TestLibc;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.Tools;
import gulp.testing.VethPair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
 * Live capture on a veth pair into a broker paused (SIGSTOP) during a burst that neither the producer
 * buffer nor the ring can hold: the capture goes on, and every packet captured is either acknowledged
 * by the broker (and read back) or counted as a kafka drop. The broker runs in the capture namespace.
 */
class KafkaLiveTest {
    @Test
    void brokerPausedDuringABurstCostsExactlyCountedKafkaDrops(@TempDir Path dir) throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root and veth pairs");
        try (VethPair bed = VethPair.create()) {
            Tools.check("ip", "-n", bed.captureNamespace, "link", "set", "lo", "up");
            KafkaTestBroker.Started broker = KafkaTestBroker.start(List.of("ip", "netns", "exec", bed.captureNamespace));
            try {
                String topic = KafkaSinkTest.topic();
                int count = 20_000;
                try (GulpInNamespace gulp = GulpInNamespace.capture(bed, null, dir.resolve("stderr.txt"),
                        "--kafka", broker.bootstrap(), "--kafka-topic", topic, "-r", "1",
                        "--kafka-option", "buffer.memory=1048576")) {
                    Thread.sleep(3000); // the producer learns the (auto-created) topic
                    KafkaSinkTest.signal("STOP", broker.process().pid());
                    try {
                        long sent = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count, KafkaLiveTest::frame,
                                20_000, new AtomicLong()).get(90, TimeUnit.SECONDS);
                        assertEquals(count, sent);
                        Thread.sleep(1000);
                    } finally {
                        KafkaSinkTest.signal("CONT", broker.process().pid());
                    }
                    Thread.sleep(3000);
                    gulp.signal("INT");
                    int status = gulp.waitFor(60);
                    Map<String, Long> c = gulp.counters();
                    String why = gulp.stderrOrReason();
                    long captured = c.get("packets captured");
                    long written = c.get("records written");
                    long kafka = c.get("records dropped (kafka)");
                    assertTrue(kafka > 0, why);
                    assertEquals(4, status, why);
                    assertEquals(captured, written + kafka + c.get("records dropped (ring full)"), why);
                    CompletableFuture<Integer> read = new CompletableFuture<>();
                    Thread.ofPlatform().start(() -> {
                        try {
                            TestLibc.enterNetworkNamespace(bed.captureNamespace);
                            read.complete(KafkaSinkTest.consume(broker.bootstrap(), topic, (int) written, bed.captureInterface).size());
                        } catch (Throwable e) {
                            read.completeExceptionally(e);
                        }
                    });
                    assertEquals(written, (long) read.get(90, TimeUnit.SECONDS), why);
                }
            } finally {
                broker.process().destroyForcibly().waitFor();
            }
        }
    }

    private static byte[] frame(int i) {
        byte[] f = KafkaSinkTest.frame(1, 100 + i % 12, 2000 + i % 12, 80, i);
        return Arrays.copyOf(f, 1000);
    }
}
