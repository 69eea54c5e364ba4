package gulp.kafka;

import gulp.testing.GulpInNamespace;
import gulp.testing.PcapFiles;
import gulp.testing.PcapngFiles;
import gulp.testing.Tools;
import gulp.testing.VethPair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "a broker paused during a burst costs exact kafka drop counts when the rings cannot
 * hold it", with held kernel blocks (the default): a 1 MiB ring and a 16 MiB kernel ring, the broker
 * SIGSTOPped while 20 MB of frames arrive (the pause lasts the burst and 2 s more, not 30 s: the rings
 * are full within the burst, so a longer pause changes nothing). Every packet the kernel received is
 * acknowledged by the broker and read back, or dropped by the kernel while the reader held blocks for
 * the stalled producer: all of those are kafka drops (stalled), and nothing else is. The case where
 * the rings hold the burst (nothing lost) and the one without held blocks (ring full) are in
 * {@link KafkaLiveTest}. Then {@code kafka-consume --format pcapng} rebuilds the file, whose
 * statistics block carries the box's figures from the records' counters headers.
 */
class KafkaStallDropsTest {
    private static final int ISB_IFRECV = 4;
    private static final int ISB_IFDROP = 5;
    private static final int ISB_FILTERACCEPT = 6;
    private static final int ISB_OSDROP = 7;
    private static final int ISB_USRDELIV = 8;
    @Test
    void kernelDropsWhileTheProducerRefusesAreExactlyTheKafkaDropsAndReachTheConsumersStatistics(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Tools.canBuildTestBed(), "needs root and veth pairs");
        try (VethPair bed = VethPair.create()) {
            Tools.check("ip", "-n", bed.captureNamespace, "link", "set", "lo", "up");
            KafkaTestBroker.Started broker = KafkaTestBroker.start(List.of("ip", "netns", "exec", bed.captureNamespace));
            try {
                KafkaLiveTest.Run run = KafkaLiveTest.burstWhilePaused(bed, broker, dir.resolve("held.txt"), 2000,
                        "-r", "1", "-B", "16");
                long received = run.counter("packets received by the kernel");
                long kernel = run.counter("packets dropped by the kernel");
                long captured = run.counter("packets captured");
                long written = run.counter("records written");
                long kafka = run.counter("records dropped (kafka)");
                long stalled = run.counter("records dropped (kafka, stalled)");
                assertTrue(kernel > 0, run.why());
                assertEquals(0, run.counter("records dropped (ring full)"), run.why());
                assertEquals(kernel, stalled, "every kernel drop was read while blocks were held for Kafka: " + run.why());
                assertEquals(stalled, kafka, "no other kafka drop: " + run.why());
                assertEquals(received - kernel, captured, run.why());
                assertEquals(captured, written, run.why());
                assertEquals(4, run.status(), run.why());
                assertTrue(run.why().contains("gulp: " + kafka + " packets could not be sent to Kafka (while Kafka could not"
                        + " take them: ring full 0, kernel " + kernel + "; undelivered 0; unsent at stop 0)"), run.why());
                assertEquals(written, KafkaLiveTest.readBack(bed, broker, run), run.why());

                // The box's losses reach the files kafka-consume rebuilds: one statistics block, the box's figures.
                Path out = java.nio.file.Files.createDirectory(dir.resolve("out"));
                Path err = dir.resolve("consume.txt");
                try (GulpInNamespace consume = GulpInNamespace.start(bed.captureNamespace, null, null, err, "kafka-consume",
                        broker.bootstrap(), "--topic", run.topic(), "-o", out.toString(), "--format", "pcapng",
                        "--count", Long.toString(written))) {
                    assertEquals(0, consume.waitFor(120), consume.stderrOrReason());
                }
                List<Path> files = PcapFiles.outputFiles(out);
                assertEquals(1, files.size(), files.toString());
                List<PcapngFiles.Block> isbs = PcapngFiles.ofType(PcapngFiles.read(files.getFirst()), PcapngFiles.ISB);
                assertEquals(1, isbs.size(), "one statistics block for the box's one interface");
                PcapngFiles.Block isb = isbs.getFirst();
                assertEquals(received, isb.count(ISB_IFRECV), "isb_ifrecv: the box's kernel count");
                assertEquals(kernel, isb.count(ISB_OSDROP), "isb_osdrop: the box's kernel drops");
                assertTrue(isb.count(ISB_IFDROP) >= kernel, "isb_ifdrop: those and the interface's");
                assertEquals(captured + kernel, isb.count(ISB_FILTERACCEPT), "isb_filteraccept: stored and kernel drops");
                assertEquals(written, isb.count(ISB_USRDELIV), "isb_usrdeliv: packets in the file");
            } finally {
                broker.kill();
            }
        }
    }
}
