package gulp.kafka;

import gulp.testing.Frames;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --kafka}: capture files through a real broker (KRaft, {@link KafkaTestBroker}) and back. */
class KafkaSinkTest {
    private static final int FLOWS = 12;

    /** One packet as read back from the topic. */
    record Received(int partition, long tsNanos, int wirelen, byte[] data) {
    }

    @Test
    void readCaptureArrivesBitExactWithEachFlowInOnePartitionInOrder(@TempDir Path dir) throws Exception {
        String topic = topic();
        KafkaTestBroker.createTopic(topic, 4);
        List<PcapFiles.Frame> frames = multiFlowFrames(3000);
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, frames);

        GulpProcess.Result result = GulpProcess.run(null, null, "--read", input.toString(),
                "--kafka", KafkaTestBroker.bootstrap(), "--kafka-topic", topic, "--nano");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(frames.size(), result.counter("records written"), result.stderr());
        assertEquals(0, result.counter("records dropped (kafka)"), result.stderr());

        List<Received> received = consume(topic, frames.size());
        assertEquals(frames.size(), received.size());
        // Per flow: the same packets, bit for bit, in the same order, all in one partition.
        Map<Integer, List<PcapFiles.Frame>> sent = byFlow(frames);
        Map<Integer, List<Received>> got = new HashMap<>();
        for (Received r : received) {
            got.computeIfAbsent(flowOf(r.data()), k -> new ArrayList<>()).add(r);
        }
        assertEquals(sent.keySet(), got.keySet());
        for (int flow : sent.keySet()) {
            List<PcapFiles.Frame> s = sent.get(flow);
            List<Received> g = got.get(flow);
            assertEquals(s.size(), g.size(), "flow " + flow);
            assertEquals(1, g.stream().mapToInt(Received::partition).distinct().count(), "flow " + flow + " in one partition");
            for (int i = 0; i < s.size(); i++) {
                assertEquals(s.get(i).tsNanos(), g.get(i).tsNanos(), "flow " + flow + " packet " + i);
                assertEquals(s.get(i).wirelen(), g.get(i).wirelen());
                assertTrue(Arrays.equals(s.get(i).data(), g.get(i).data()), "flow " + flow + " packet " + i + " bytes");
            }
        }
    }

    @Test
    void producerBufferFullAndBrokerPausedKeepEverythingInTheRing(@TempDir Path dir) throws Exception {
        String topic = topic();
        KafkaTestBroker.createTopic(topic, 2);
        List<PcapFiles.Frame> frames = multiFlowFrames(6000);
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, frames);
        long broker = KafkaTestBroker.pid();
        Path stats = dir.resolve("stats.jsonl");
        ProcessBuilder gulp = GulpProcess.builder("--read", input.toString(), "--kafka", KafkaTestBroker.bootstrap(),
                "--kafka-topic", topic, "--kafka-option", "buffer.memory=600000", "--nano", "-r", "16",
                "--stats-json", stats.toString());
        gulp.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process process;
        String stderr;
        signal("STOP", broker);
        try {
            process = gulp.start();
            // the producer takes what its small buffer holds, the ring the rest: paused until the whole
            // input has been read
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (figure(stats, "gulp_read_packets_total") < frames.size() && System.nanoTime() < deadline
                    && process.isAlive()) {
                Thread.sleep(50);
            }
            assertEquals(frames.size(), figure(stats, "gulp_read_packets_total"), "the whole input read while paused");
            assertEquals(0, figure(stats, "gulp_written_records_total"), "nothing delivered while paused");
        } finally {
            signal("CONT", broker);
        }
        stderr = new String(process.getErrorStream().readAllBytes());
        assertEquals(0, process.waitFor(), stderr);
        assertEquals(frames.size(), GulpProcess.counters(stderr).get("records written"), stderr);
        assertEquals(0L, GulpProcess.counters(stderr).get("records dropped (kafka)"), stderr);
        assertEquals(frames.size(), consume(topic, frames.size()).size());
    }

    @Test
    void brokerDownAtStartSaysSoAndCountsEveryPacketAsAKafkaDropInTheReportStatusAndStats(@TempDir Path dir)
            throws Exception {
        List<PcapFiles.Frame> frames = multiFlowFrames(200);
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, frames);
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        Path stats = dir.resolve("stats.jsonl");
        // 6 s to deliver at the end: past the 5 s after which the sink says no broker has answered
        GulpProcess.Result result = GulpProcess.run(null, null, "--read", input.toString(),
                "--kafka", "127.0.0.1:" + port, "--kafka-topic", "t", "-V", "x", "--stats-json", stats.toString(),
                "--kafka-timeout", "6");
        assertEquals(4, result.status(), result.stderr());
        assertTrue(result.stderr().contains("gulp: kafka: no broker at 127.0.0.1:" + port), result.stderr());
        assertEquals(frames.size(), result.counter("records dropped (kafka)"), result.stderr());
        assertEquals(0, result.counter("records written"), result.stderr());
        assertTrue(result.errorLine().contains(frames.size() + " packets could not be sent to Kafka"), result.stderr());
        assertTrue(result.stderr().contains("0 kafka drops, kafka not taking records"), "status line: " + result.stderr());
        List<String> lines = java.nio.file.Files.readAllLines(stats);
        String last = lines.getLast();
        assertTrue(last.contains("\"final\":true"), last);
        assertTrue(last.contains("\"gulp_kafka_dropped_packets_total\":{\"undelivered\":0,\"unsent_at_stop\":"
                + frames.size() + ",\"stalled_ring_full\":0,\"stalled_kernel\":0}"), last);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"gulp_kafka_refusing\":1")), "refusing while no broker answered");
    }

    @Test
    void badBootstrapListIsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.pcap");
        PcapFiles.writeFrames(input, multiFlowFrames(10));
        GulpProcess.Result result = GulpProcess.run(null, null, "--kafka", "no such host::1", "--kafka-topic", "t",
                "--read", input.toString());
        assertEquals(2, result.status(), result.stderr());
        assertEquals("gulp: kafka: Invalid url in bootstrap.servers: no such host::1", result.errorLine(), result.stderr());
        result = GulpProcess.run(null, null, "--kafka", "localhost:9092", "-i", "-");
        assertEquals(2, result.status(), result.stderr());
        assertTrue(result.stderr().contains("--kafka needs --kafka-topic T"), result.stderr());
        result = GulpProcess.run(null, null, "--kafka", "localhost:9092", "--kafka-topic", "t",
                "--kafka-option", "no.such.setting=1", "--read", input.toString());
        assertEquals(2, result.status(), result.stderr());
        assertTrue(result.errorLine().contains("'no.such.setting' is not a Kafka producer setting"), result.stderr());
    }

    @Test
    void flowHashIsTheSameForBothDirections() {
        byte[] ab = frame(1, 7, 1000, 80, 0);
        byte[] ba = frame(7, 1, 80, 1000, 0);
        byte[] other = frame(1, 7, 1001, 80, 0);
        assertEquals(hash(ab), hash(ba));
        assertTrue(hash(ab) != hash(other));
    }

    private static int hash(byte[] frame) {
        return FlowHash.of(MemorySegment.ofArray(frame), 0, frame.length, 1);
    }

    /**
     * A figure without labels in the last complete line of a {@code --stats-json} file so far, -1 if
     * there is none yet.
     */
    static long figure(Path stats, String name) throws IOException {
        if (!java.nio.file.Files.exists(stats)) {
            return -1;
        }
        String text = java.nio.file.Files.readString(stats);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return -1;
        }
        String line = text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static String topic() {
        return "gulp-" + UUID.randomUUID();
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
    }

    /** Frames of {@link #FLOWS} UDP flows, both directions, sizes 60 to 1514, a sequence number in each. */
    static List<PcapFiles.Frame> multiFlowFrames(int count) {
        List<PcapFiles.Frame> frames = new ArrayList<>(count);
        long ts = 1_700_000_000_000_000_000L;
        for (int i = 0; i < count; i++) {
            int flow = i % FLOWS;
            boolean reply = (i / FLOWS) % 3 == 2;
            byte[] data = reply ? frame(100 + flow, 1, 80, 2000 + flow, i) : frame(1, 100 + flow, 2000 + flow, 80, i);
            int size = 60 + (i * 37) % (1514 - 60);
            byte[] padded = Arrays.copyOf(data, Math.max(data.length, size));
            frames.add(new PcapFiles.Frame(ts + i * 1000L + (i % 7), padded.length + (i % 5 == 0 ? 4 : 0), padded));
        }
        return frames;
    }

    /** Ethernet/IPv4/UDP from 10.0.0.A:sp to 10.0.0.B:dp, the payload the sequence number. */
    static byte[] frame(int a, int b, int sourcePort, int destinationPort, int sequence) {
        byte[] payload = {(byte) (sequence >>> 24), (byte) (sequence >>> 16), (byte) (sequence >>> 8), (byte) sequence};
        byte[] ip = Frames.ipv4(0, 1, 0, 64, 17, new byte[] {10, 0, 0, (byte) a}, new byte[] {10, 0, 0, (byte) b}, 0,
                Frames.udp(sourcePort, destinationPort, payload));
        return Frames.ethernet(0x0800, ip);
    }

    /** The flow a test frame belongs to: its two addresses' last bytes, the larger one names it. */
    static int flowOf(byte[] frame) {
        return Math.max(frame[14 + 15] & 0xFF, frame[14 + 19] & 0xFF);
    }

    static Map<Integer, List<PcapFiles.Frame>> byFlow(List<PcapFiles.Frame> frames) {
        Map<Integer, List<PcapFiles.Frame>> map = new HashMap<>();
        for (PcapFiles.Frame f : frames) {
            map.computeIfAbsent(flowOf(f.data()), k -> new ArrayList<>()).add(f);
        }
        return map;
    }

    /** Reads the topic from the beginning until {@code expected} packets came (or 60 s passed). */
    static List<Received> consume(String topic, int expected) throws IOException {
        return consume(KafkaTestBroker.bootstrap(), topic, expected, "file");
    }

    static List<Received> consume(String bootstrap, String topic, int expected, String interfaceName) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<Received> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (received.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals(KafkaRecordFormat.FORMAT_TEXT, KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.FORMAT));
                    assertEquals("1", KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.LINK_TYPE));
                    assertEquals(interfaceName, KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.INTERFACE));
                    long first = Long.parseLong(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.FIRST));
                    long last = Long.parseLong(KafkaRecordFormat.header(record.headers(), KafkaRecordFormat.LAST));
                    int before = received.size();
                    EpbBatch.forEach(record.value(), (value, offset, caplen, wirelen, ts) -> received.add(new Received(
                            record.partition(), ts, wirelen, Arrays.copyOfRange(value, offset, offset + caplen))));
                    assertEquals(first, received.get(before).tsNanos());
                    assertEquals(last, received.getLast().tsNanos());
                }
            }
        }
        return received;
    }
}
