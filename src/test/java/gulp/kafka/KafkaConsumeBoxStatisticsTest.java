package gulp.kafka;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.PcapngFiles;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The capture boxes' counters (the records' {@code counters} header) in the statistics blocks of
 * the pcapng files {@code kafka-consume} writes: per box and interface, exactly one block per
 * interface per file, the box's kafka drops in {@code isb_osdrop} (and {@code isb_ifdrop}); a box
 * whose records carry no counters gets only {@code isb_usrdeliv}. Records of one box arrive out of
 * order across partitions: the latest (largest) figures count.
 */
class KafkaConsumeBoxStatisticsTest {
    private static final int IFRECV = 4;
    private static final int IFDROP = 5;
    private static final int FILTERACCEPT = 6;
    private static final int OSDROP = 7;
    private static final int USRDELIV = 8;

    @Test
    void eachBoxInterfacesStatisticsBlockHoldsThatBoxsOwnCounters(@TempDir Path dir) throws Exception {
        String topic = KafkaSinkTest.topic();
        KafkaTestBroker.createTopic(topic, 2);
        List<PcapFiles.Frame> frames = KafkaSinkTest.multiFlowFrames(300);
        String later = "run=7 stored=300 ringfull=2 filtered=4 kafka=3 stalled=6 recv=310 kernel=5 ifdrop=1";
        String earlier = "run=7 stored=100 ringfull=0 filtered=1 kafka=0 stalled=0 recv=100 kernel=0 ifdrop=0";
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            publish(producer, topic, 0, "box-a", "eth1", frames.subList(0, 100), later); // read in any order with the next
            publish(producer, topic, 1, "box-a", "eth1", frames.subList(100, 200), earlier);
            publish(producer, topic, 1, "box-b", "eth7", frames.subList(200, 300), null);
        }
        Path out = Files.createDirectory(dir.resolve("out"));
        GulpProcess.Result result = GulpProcess.run(null, null, "kafka-consume", KafkaTestBroker.bootstrap(),
                "--topic", topic, "-o", out.toString(), "--format", "pcapng", "--rotate-packets", "150", "--count", "300");
        assertEquals(0, result.status(), result.stderr());
        List<Path> files = PcapFiles.outputFiles(out);
        assertEquals(2, files.size(), files.toString());
        PcapngFiles.Block a = null;
        PcapngFiles.Block b = null;
        for (Path file : files) {
            List<PcapngFiles.Block> blocks = PcapngFiles.read(file);
            List<String> names = PcapngFiles.ofType(blocks, PcapngFiles.IDB).stream().map(x -> x.string(2)).toList();
            List<PcapngFiles.Block> isbs = PcapngFiles.ofType(blocks, PcapngFiles.ISB);
            assertEquals(names.size(), isbs.size(), "one statistics block per interface in " + file);
            Map<String, PcapngFiles.Block> byName = new HashMap<>();
            for (PcapngFiles.Block isb : isbs) {
                byName.put(names.get(isb.intAt(0)), isb);
            }
            a = byName.getOrDefault("box-a:eth1", a);
            b = byName.getOrDefault("box-b:eth7", b);
        }
        // The last file's blocks: every record has been read by then.
        assertEquals(310, a.count(IFRECV), "isb_ifrecv: the box's kernel count");
        assertEquals(5 + 2 + 3, a.count(OSDROP), "isb_osdrop: kernel, ring full and kafka drops of the box");
        assertEquals(5 + 2 + 3 + 1, a.count(IFDROP), "isb_ifdrop: those and the interface's");
        assertEquals(300 + 2 + 5, a.count(FILTERACCEPT), "isb_filteraccept: stored, ring full and kernel drops");
        assertEquals(200, a.count(USRDELIV), "isb_usrdeliv: what this consumer wrote of the box");
        assertEquals(-1, b.count(IFRECV), "no counters header: no box figures");
        assertEquals(-1, b.count(OSDROP));
        assertEquals(100, b.count(USRDELIV));
    }

    private static KafkaProducer<byte[], byte[]> producer() throws java.io.IOException {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestBroker.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** One record of {@code frames} as a capture box sends it, with {@code counters} as its header (null: none). */
    private static void publish(KafkaProducer<byte[], byte[]> producer, String topic, int partition, String box,
                                String interfaceName, List<PcapFiles.Frame> frames, String counters) throws Exception {
        EpbBatch batch = new EpbBatch(1 << 20);
        for (PcapFiles.Frame f : frames) {
            batch.append(MemorySegment.ofArray(f.data()), 0, f.data().length, f.wirelen(), f.tsNanos(), 0);
        }
        RecordHeaders headers = KafkaConsumeTest.headersOf(box, interfaceName, batch);
        if (counters != null) {
            headers.add(KafkaRecordFormat.COUNTERS, utf8(counters));
        }
        producer.send(new ProducerRecord<>(topic, partition, null, KafkaRecordFormat.key(0), batch.toValue(), headers))
                .get(30, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
