package gulp.kafka;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.PcapngFiles;
import gulp.testing.Tools;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gulp kafka-consume}: files rebuilt from a topic, exactly once across a SIGKILL. The two tests
 * that wait out kafka-consume's broker timeout ({@code --kafka-timeout}, set short there) run beside
 * the others (the one that pauses its broker on a broker of its own); the others, busy with gulp
 * processes, take turns ({@link #BUSY}), so that no more than three things compete for the CPUs.
 */
class KafkaConsumeTest {
    /** The lock the busy tests take turns on. */
    private static final String BUSY = "gulp.kafka.KafkaConsumeTest.busy";

    @ResourceLock(BUSY)
    @Execution(ExecutionMode.CONCURRENT)
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

    @ResourceLock(BUSY)
    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void pcapngFilesDescribeEachCaptureBoxAndInterfaceAndReadBackBitExact(@TempDir Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(topic, 2);
        List<PcapFiles.Frame> fromGulp = publish(dir, topic, 1500); // this host's box name, interface "file"
        List<PcapFiles.Frame> fromA = KafkaSinkTest.multiFlowFrames(700);
        List<PcapFiles.Frame> fromB = KafkaSinkTest.multiFlowFrames(500);
        publishAs(topic, 0, "box-a", "eth1", fromA);
        publishAs(topic, 1, "box-b", "eth7", fromB);
        int total = fromGulp.size() + fromA.size() + fromB.size();
        Path out = Files.createDirectory(dir.resolve("out"));
        GulpProcess.Result result = GulpProcess.run(null, null, "kafka-consume", KafkaTestBroker.bootstrap(),
                "--topic", topic, "-o", out.toString(), "--format", "pcapng", "--rotate-packets", "1000", "--count",
                Integer.toString(total));
        assertEquals(0, result.status(), result.stderr());
        assertEquals(total, result.counter("records written"), result.stderr());
        List<Path> files = PcapFiles.outputFiles(out);
        assertEquals(3, files.size(), "2700 packets in files of 1000: " + files);
        Map<String, List<PcapFiles.Frame>> byInterface = new HashMap<>();
        for (Path file : files) {
            assertTrue(file.getFileName().toString().endsWith(".pcapng"), file.toString());
            List<PcapngFiles.Block> blocks = PcapngFiles.read(file);
            assertEquals(PcapngFiles.SHB, blocks.getFirst().type(), "each file starts with its section header");
            List<String> names = PcapngFiles.ofType(blocks, PcapngFiles.IDB).stream().map(b -> b.string(2)).toList();
            assertEquals(names.size(), PcapngFiles.ofType(blocks, PcapngFiles.ISB).size(), "one statistics block per interface");
            assertEquals(PcapngFiles.ISB, blocks.getLast().type(), "statistics at the end");
            for (PcapngFiles.Block epb : PcapngFiles.ofType(blocks, PcapngFiles.EPB)) {
                byInterface.computeIfAbsent(names.get(epb.intAt(0)), k -> new ArrayList<>()).add(frameOf(epb));
            }
            // the independent readers: tshark counts every packet, capinfos every interface
            String count = Tools.check("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.interface_name");
            assertEquals(PcapngFiles.ofType(blocks, PcapngFiles.EPB).size(), count.lines().count(), file.toString());
            String interfaces = Tools.check("capinfos", "-I", file.toString());
            for (String name : names) {
                assertTrue(interfaces.contains("Name = " + name), interfaces);
            }
        }
        assertTrue(byInterface.keySet().stream().anyMatch(n -> n.endsWith(":file")), byInterface.keySet().toString());
        String gulpBox = byInterface.keySet().stream().filter(n -> n.endsWith(":file")).findFirst().orElseThrow();
        assertEquals(java.util.Set.of("box-a:eth1", "box-b:eth7", gulpBox), byInterface.keySet());
        assertSameFlows(fromA, byInterface.get("box-a:eth1"));
        assertSameFlows(fromB, byInterface.get("box-b:eth7"));
        assertSameFlows(fromGulp, byInterface.get(gulpBox));
    }

    @ResourceLock(BUSY)
    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest
    @ValueSource(strings = {"pcap", "pcapng"})
    void consumerKilledAndRestartedWritesEveryPacketExactlyOnce(String format, @TempDir Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(topic, 3);
        List<PcapFiles.Frame> frames = publish(dir, topic, 8_000);
        Path out = Files.createDirectory(dir.resolve("out"));
        String[] args = {"kafka-consume", KafkaTestBroker.bootstrap(), "--topic", topic, "-o", out.toString(), "--nano",
                "--rotate-packets", "400", "--buffered-io", "--format", format};
        Process first = GulpProcess.builder(args).redirectError(dir.resolve("first.txt").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (PcapFiles.outputFiles(out).size() < 3 && System.nanoTime() < deadline && first.isAlive()) {
            Thread.sleep(5);
        }
        first.destroyForcibly().waitFor(); // SIGKILL, mid-stream
        int finishedAtKill = PcapFiles.outputFiles(out).size();
        assertTrue(finishedAtKill >= 3 && finishedAtKill < frames.size() / 400, "killed after " + finishedAtKill + " files");
        try (Stream<Path> parts = Files.list(out)) { // each unfinished file with the index so far beside it, as a later kill leaves it
            for (Path part : parts.filter(p -> p.getFileName().toString().matches("\\..*\\.pcap(ng)?\\.part")).toList()) {
                String name = part.getFileName().toString();
                Path index = part.resolveSibling(name.substring(0, name.length() - ".part".length()) + ".idx.part");
                if (!Files.exists(index)) {
                    Files.write(index, new byte[] {1, 2, 3});
                }
            }
        }

        // The restart finishes the .part the last commit names (400 packets: a file is committed when
        // it is full) and reads the rest; once it has written that rest, SIGINT ends it.
        Path secondErr = dir.resolve("second.txt");
        Path secondStats = dir.resolve("second.jsonl");
        List<String> again = new ArrayList<>(List.of(args));
        again.addAll(List.of("--stats-json", secondStats.toString(), "--duration", "60"));
        Process second = GulpProcess.builder(again.toArray(String[]::new)).redirectError(secondErr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        deadline = System.nanoTime() + 60_000_000_000L;
        while (second.isAlive() && System.nanoTime() < deadline) {
            boolean recovered = Files.readString(secondErr).contains("recovered ");
            long rest = frames.size() - 400L * (finishedAtKill + (recovered ? 1 : 0));
            if (KafkaSinkTest.figure(secondStats, "gulp_written_records_total") == rest) {
                break;
            }
            Thread.sleep(50);
        }
        Tools.signal(second, "INT");
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second kafka-consume did not end");
        String secondWhy = Files.readString(secondErr);
        assertEquals(0, second.exitValue(), secondWhy);
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".part")).toList());
        }
        List<PcapFiles.Frame> got = framesIn(out);
        assertEquals(frames.size(), got.size(), "every packet once: " + secondWhy);
        assertSameFlows(frames, got);

        // Nothing is left to read: every partition's commit is at its end, so a restart finds nothing new.
        assertCommittedToTheEnd(topic);
        List<String> brief = new ArrayList<>(List.of(args));
        brief.addAll(List.of("--duration", "3"));
        GulpProcess.Result third = GulpProcess.run(null, null, brief.toArray(String[]::new));
        assertEquals(0, third.status(), third.stderr());
        assertTrue(third.stderr().contains("no new record in " + topic), third.stderr());
        assertEquals(frames.size(), framesIn(out).size());
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void brokerDownAtStartIsOneLineAndStatus3WithNothingWritten(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        Path out = Files.createDirectory(dir.resolve("out"));
        GulpProcess.Result result = GulpProcess.run(null, null, "kafka-consume", "127.0.0.1:" + port, "--topic", "t",
                "-o", out.toString(), "--kafka-timeout", "2");
        assertEquals(3, result.status(), result.stderr());
        assertTrue(result.errorLine().startsWith("gulp: kafka: cannot read the committed offsets of t: "), result.stderr());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().startsWith(".gulp")).toList());
        }
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void brokerGoneWhenAFileIsFinishedKeepsItPartAndTheRestartWritesEveryPacketOnce(@TempDir Path dir)
            throws Exception {
        try (KafkaTestBroker.Started own = KafkaTestBroker.start(List.of())) { // paused below: the other tests go on
            brokerGoneWhenAFileIsFinished(own, dir);
        }
    }

    private static void brokerGoneWhenAFileIsFinished(KafkaTestBroker.Started broker, Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(broker.bootstrap(), topic, 2);
        List<PcapFiles.Frame> frames = publish(broker.bootstrap(), dir, topic, 3000);
        Path out = Files.createDirectory(dir.resolve("out"));
        String[] args = {"kafka-consume", broker.bootstrap(), "--topic", topic, "-o", out.toString(), "--nano",
                "--rotate-packets", "400"};
        Path stderr = dir.resolve("first.txt");
        List<String> firstArgs = new ArrayList<>(List.of(args));
        firstArgs.addAll(List.of("--kafka-timeout", "5")); // the commit it cannot make fails after 5 s
        Process first = GulpProcess.builder(firstArgs.toArray(String[]::new)).redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (PcapFiles.outputFiles(out).size() < 7 && System.nanoTime() < deadline && first.isAlive()) {
            Thread.sleep(20); // 3000 packets: 7 files of 400 finished, 200 in the .part
        }
        Thread.sleep(500);
        assertEquals(7, PcapFiles.outputFiles(out).size(), Files.readString(stderr));
        long pid = broker.process().pid();
        KafkaSinkTest.signal("STOP", pid);
        int status;
        try {
            Tools.signal(first, "INT"); // the last file is forced, but its commit cannot be made
            assertTrue(first.waitFor(120, TimeUnit.SECONDS), "kafka-consume did not end");
            status = first.exitValue();
        } finally {
            KafkaSinkTest.signal("CONT", pid);
        }
        String why = Files.readString(stderr);
        assertEquals(4, status, why);
        assertTrue(why.contains("kafka: cannot commit the offsets of its packets: no broker answered within 5 s"), why);
        assertEquals(1, PcapFiles.captureParts(out).size(), "the last file stays .part: " + why);
        assertEquals(7, PcapFiles.outputFiles(out).size(), why);

        // The paused broker may still apply the commit the consumer gave up on once it runs again: then
        // the commit names the .part, which the restart finishes (nothing new comes before --duration
        // ends); else the .part is removed and its 200 packets read again (SIGINT once they are written).
        Path secondErr = dir.resolve("second.txt");
        Path secondStats = dir.resolve("second.jsonl");
        List<String> again = new ArrayList<>(List.of(args));
        again.addAll(List.of("--duration", "8", "--stats-json", secondStats.toString()));
        Process second = GulpProcess.builder(again.toArray(String[]::new)).redirectError(secondErr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        while (second.isAlive() && KafkaSinkTest.figure(secondStats, "gulp_written_records_total") < frames.size() - 7 * 400) {
            Thread.sleep(50);
        }
        if (second.isAlive()) {
            Tools.signal(second, "INT");
        }
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second kafka-consume did not end");
        String secondWhy = Files.readString(secondErr);
        assertEquals(0, second.exitValue(), secondWhy);
        assertEquals(List.of(), PcapFiles.captureParts(out), secondWhy);
        List<PcapFiles.Frame> got = framesIn(out);
        assertEquals(frames.size(), got.size(), "every packet once: " + secondWhy);
        assertSameFlows(frames, got);
    }

    /** Every partition of {@code topic} has its commit (kafka-consume's default group) at the partition's end. */
    private static void assertCommittedToTheEnd(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("gulp-kafka-consume-" + topic)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            Map<TopicPartition, Long> commits = new HashMap<>();
            committed.forEach((tp, om) -> commits.put(tp, om.offset()));
            assertEquals(ends, commits, "committed offsets against the partitions' ends");
        }
    }

    /** Writes {@code count} multi-flow frames to a capture and publishes it with {@code --kafka}. */
    private static List<PcapFiles.Frame> publish(Path dir, String topic, int count) throws Exception {
        return publish(KafkaTestBroker.bootstrap(), dir, topic, count);
    }

    private static List<PcapFiles.Frame> publish(String bootstrap, Path dir, String topic, int count) throws Exception {
        List<PcapFiles.Frame> frames = KafkaSinkTest.multiFlowFrames(count);
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, frames);
        GulpProcess.Result sent = GulpProcess.run(null, null, "--read", input.toString(), "--kafka",
                bootstrap, "--kafka-topic", topic, "--nano");
        assertEquals(0, sent.status(), sent.stderr());
        return frames;
    }

    /** Publishes {@code frames} to {@code partition} as a capture box named {@code box} would (records of up to 100 packets). */
    /** The headers a capture box puts on a record of {@code batch} (Ethernet, text counters aside). */
    static RecordHeaders headersOf(String box, String interfaceName, EpbBatch batch) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaRecordFormat.BOX, utf8(box));
        headers.add(KafkaRecordFormat.INTERFACE, utf8(interfaceName));
        headers.add(KafkaRecordFormat.FIRST, utf8(Long.toString(batch.firstNanos())));
        headers.add(KafkaRecordFormat.LAST, utf8(Long.toString(batch.lastNanos())));
        headers.add(KafkaRecordFormat.LINK_TYPE, utf8("1"));
        headers.add(KafkaRecordFormat.FORMAT, utf8(KafkaRecordFormat.FORMAT_TEXT));
        return headers;
    }

    private static void publishAs(String topic, int partition, String box, String interfaceName, List<PcapFiles.Frame> frames)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            EpbBatch batch = new EpbBatch(1 << 20);
            for (int i = 0; i < frames.size(); i++) {
                PcapFiles.Frame f = frames.get(i);
                batch.append(MemorySegment.ofArray(f.data()), 0, f.data().length, f.wirelen(), f.tsNanos(), 0);
                if (batch.packets() == 100 || i == frames.size() - 1) {
                    RecordHeaders headers = headersOf(box, interfaceName, batch);
                    producer.send(new ProducerRecord<>(topic, partition, null, KafkaRecordFormat.key(0), batch.toValue(),
                            headers)).get(30, TimeUnit.SECONDS);
                    batch.reset();
                }
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every packet of the files in {@code out}, pcap or pcapng, in file order. */
    private static List<PcapFiles.Frame> framesIn(Path out) throws IOException {
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (Path file : PcapFiles.outputFiles(out)) {
            if (file.getFileName().toString().endsWith(".pcapng")) {
                for (PcapngFiles.Block epb : PcapngFiles.ofType(PcapngFiles.read(file), PcapngFiles.EPB)) {
                    frames.add(frameOf(epb));
                }
            } else {
                frames.addAll(PcapFiles.read(file).frames());
            }
        }
        return frames;
    }

    /** An enhanced packet block's packet (if_tsresol 9: the timestamp is in nanoseconds). */
    private static PcapFiles.Frame frameOf(PcapngFiles.Block epb) {
        long ts = (Integer.toUnsignedLong(epb.intAt(4)) << 32) | Integer.toUnsignedLong(epb.intAt(8));
        return new PcapFiles.Frame(ts, epb.intAt(16), Arrays.copyOfRange(epb.body(), 20, 20 + epb.intAt(12)));
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
