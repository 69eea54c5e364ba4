package gulp.kafka;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gulp kafka-consume}: files rebuilt from a topic, exactly once across a SIGKILL. */
class KafkaConsumeTest {
    @Test
    void captureThroughKafkaToFilesIsBitExactPerFlowAndInTimeOrder(@TempDir Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(topic, 4);
        List<PcapFiles.Frame> frames = publish(dir, topic, 3000);
        Path out = Files.createDirectory(dir.resolve("out"));
        GulpProcess.Result result = GulpProcess.run(null, null, "kafka-consume", KafkaTestBroker.bootstrap(),
                "--topic", topic, "-o", out.toString(), "--nano", "--rotate-packets", "700", "--count",
                Integer.toString(frames.size()));
        assertEquals(0, result.status(), result.stderr());
        assertEquals(frames.size(), result.counter("records written"), result.stderr());
        List<PcapFiles.Frame> got = framesIn(out);
        assertEquals(5, PcapFiles.outputFiles(out).size(), "3000 packets in files of 700");
        assertSameFlows(frames, got);
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i - 1).tsNanos() <= got.get(i).tsNanos(), "packet " + i + " in time order");
        }
    }

    @Test
    void consumerKilledAndRestartedWritesEveryPacketExactlyOnce(@TempDir Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(topic, 3);
        List<PcapFiles.Frame> frames = publish(dir, topic, 8_000);
        Path out = Files.createDirectory(dir.resolve("out"));
        String[] args = {"kafka-consume", KafkaTestBroker.bootstrap(), "--topic", topic, "-o", out.toString(), "--nano",
                "--rotate-packets", "400", "--buffered-io"};
        Process first = GulpProcess.builder(args).redirectError(dir.resolve("first.txt").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (PcapFiles.outputFiles(out).size() < 3 && System.nanoTime() < deadline && first.isAlive()) {
            Thread.sleep(5);
        }
        first.destroyForcibly().waitFor(); // SIGKILL, mid-stream
        int finishedAtKill = PcapFiles.outputFiles(out).size();
        assertTrue(finishedAtKill >= 3 && finishedAtKill < frames.size() / 400, "killed after " + finishedAtKill + " files");

        List<String> again = new ArrayList<>(List.of(args));
        again.addAll(List.of("--duration", "8"));
        GulpProcess.Result second = GulpProcess.run(null, null, again.toArray(String[]::new));
        assertEquals(0, second.status(), second.stderr());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".part")).toList());
        }
        List<PcapFiles.Frame> got = framesIn(out);
        assertEquals(frames.size(), got.size(), "every packet once: " + second.stderr());
        assertSameFlows(frames, got);

        GulpProcess.Result third = GulpProcess.run(null, null, again.toArray(String[]::new)); // nothing new
        assertEquals(0, third.status(), third.stderr());
        assertTrue(third.stderr().contains("no new record in " + topic), third.stderr());
        assertEquals(frames.size(), framesIn(out).size());
    }

    /** Writes {@code count} multi-flow frames to a capture and publishes it with {@code --kafka}. */
    private static List<PcapFiles.Frame> publish(Path dir, String topic, int count) throws Exception {
        List<PcapFiles.Frame> frames = KafkaSinkTest.multiFlowFrames(count);
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, frames);
        GulpProcess.Result sent = GulpProcess.run(null, null, "--read", input.toString(), "--kafka",
                KafkaTestBroker.bootstrap(), "--kafka-topic", topic, "--nano");
        assertEquals(0, sent.status(), sent.stderr());
        return frames;
    }

    private static List<PcapFiles.Frame> framesIn(Path out) throws IOException {
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (Path file : PcapFiles.outputFiles(out)) {
            frames.addAll(PcapFiles.read(file).frames());
        }
        return frames;
    }

    /** The same packets per flow, bit for bit, in the same order. */
    private static void assertSameFlows(List<PcapFiles.Frame> sent, List<PcapFiles.Frame> got) {
        Map<Integer, List<PcapFiles.Frame>> s = KafkaSinkTest.byFlow(sent);
        Map<Integer, List<PcapFiles.Frame>> g = KafkaSinkTest.byFlow(got);
        assertEquals(s.keySet(), g.keySet());
        for (int flow : s.keySet()) {
            assertEquals(s.get(flow).size(), g.get(flow).size(), "packets of flow " + flow);
            for (int i = 0; i < s.get(flow).size(); i++) {
                PcapFiles.Frame a = s.get(flow).get(i);
                PcapFiles.Frame b = g.get(flow).get(i);
                assertEquals(a.tsNanos(), b.tsNanos(), "flow " + flow + " packet " + i);
                assertEquals(a.wirelen(), b.wirelen(), "flow " + flow + " packet " + i);
                assertTrue(Arrays.equals(a.data(), b.data()), "flow " + flow + " packet " + i + " bytes");
            }
        }
    }
}
