package gulp.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What kafka-consume commits when the merge interleaves records of one partition. */
class KafkaConsumeLedgerTest {
    @Test
    void interleavedRecordsCommitTheFirstUnfinishedOffsetAndListWhatIsInFiles() {
        AtomicLong written = new AtomicLong();
        ConsumeLedger ledger = new ConsumeLedger("t", written::get);
        ledger.start(0, 10);
        ledger.start(1, 0);
        ledger.read(0, 10, 3, 0);
        ledger.read(0, 11, 2, 0);
        ledger.emitted(0, 11, 2); // the later record's packets are older: they go first
        ledger.emitted(0, 10, 1);
        written.set(3);
        ledger.handedOver("f1");
        ledger.emitted(0, 10, 2);
        written.set(5);
        ledger.handedOver("f2");

        Map<TopicPartition, OffsetAndMetadata> first = ledger.durable("f1");
        OffsetAndMetadata p0 = first.get(new TopicPartition("t", 0));
        assertEquals(10, p0.offset());
        assertEquals("f1\n10:1\n11:2", p0.metadata());
        assertEquals(Map.of(10L, 1, 11L, 2), ConsumeLedger.durablePrefixes(p0));
        assertEquals("f1", ConsumeLedger.fileOf(p0));
        assertEquals(new OffsetAndMetadata(0, "f1"), first.get(new TopicPartition("t", 1)));

        OffsetAndMetadata after = ledger.durable("f2").get(new TopicPartition("t", 0));
        assertEquals(new OffsetAndMetadata(12, "f2"), after);
    }

    @Test
    void aRecordWithItsFirstPacketsInFilesIsReadOnFromThere() {
        ConsumeLedger ledger = new ConsumeLedger("t", () -> 2);
        ledger.start(0, 0);
        ledger.read(0, 0, 5, 3); // restart: 3 packets of record 0 are in files already
        ledger.emitted(0, 0, 2);
        ledger.handedOver("f");
        assertEquals(new OffsetAndMetadata(1, "f"), ledger.durable("f").get(new TopicPartition("t", 0)));
    }
}
