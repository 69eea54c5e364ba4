package gulp.run;

import gulp.format.PcapRecordHeader;

import gulp.cli.OptionParser;
import gulp.capture.LiveSource;
import gulp.cli.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** What {@link RunSettings#conclude} derives from the options, once. */
class RunSettingsTest {
    private static RunSettings conclude(String... args) throws UsageException, SetupException {
        return RunSettings.conclude(OptionParser.parse(args));
    }

    @Test
    void filesWithoutARotationOptionAreCutAtTenRingSizes() throws Exception {
        assertEquals(10L * (8 << 20), conclude("-i", "-", "-r", "8", "-o", "/tmp/x").rotateBytes());
        assertEquals(3L * (8 << 20), conclude("-i", "-", "-r", "8", "-o", "/tmp/x", "-C", "3").rotateBytes());
        assertEquals(1L << 20, conclude("-i", "-", "-r", "8", "-o", "/tmp/x", "-C", "3", "--rotate-size", "1M").rotateBytes());
    }

    @Test
    void anotherRotationOptionOrNoOutputDirectoryMeansNoSizeCut() throws Exception {
        assertEquals(0, conclude("-i", "-", "-o", "/tmp/x", "--rotate-packets", "5").rotateBytes());
        assertEquals(0, conclude("-i", "-", "-o", "/tmp/x", "-G", "60").rotateBytes());
        assertEquals(0, conclude("-c", "-o", "/tmp/x").rotateBytes());
    }

    @Test
    void decapsulationMakesTheKernelKeepTheLargestSnaplen() throws Exception {
        RunSettings plain = conclude("-i", "lo", "-s", "100", "-o", "/tmp/x");
        assertEquals(100, plain.kernelSnaplen());
        assertNull(plain.decap());
        RunSettings decap = conclude("-i", "lo", "-s", "100", "-d", "-o", "/tmp/x");
        assertEquals(PcapRecordHeader.MAX_CAPLEN, decap.kernelSnaplen());
        assertNotNull(decap.decap());
    }

    @Test
    void kernelBufferIsTheGivenSizeOrAMultipleOfTheBlockWithinTheDefault() throws Exception {
        assertEquals(32L << 20, conclude("-i", "lo", "-B", "32", "-o", "/tmp/x").kernelBufferBytes());
        long chosen = conclude("-i", "lo", "-o", "/tmp/x").kernelBufferBytes();
        assertTrue(chosen >= LiveSource.MIN_KERNEL_BUFFER && chosen <= LiveSource.DEFAULT_KERNEL_BUFFER, "" + chosen);
        assertEquals(0, chosen % LiveSource.DEFAULT_BLOCK_SIZE);
    }

    @Test
    void liveThreadsArePlannedOnDifferentCpusAndFileThreadsAreLeftAlone() throws Exception {
        var live = conclude("-i", "lo", "-o", "/tmp/x", "--reader-cpu", "0", "--fifo").threads();
        assertEquals(0, live.readerCpu());
        assertTrue(live.raiseReader());
        assertTrue(live.fifoReader());
        if (Runtime.getRuntime().availableProcessors() >= 2) {
            assertNotEquals(0, live.writerCpu());
        }
        var file = conclude("-i", "-", "-o", "/tmp/x").threads();
        assertEquals(-1, file.readerCpu());
        assertEquals(-1, file.writerCpu());
        assertFalse(file.raiseReader());
    }

    @Test
    void theLiveInterfaceIsTheOneGivenAndFilesHaveNone() throws Exception {
        assertEquals("lo", conclude("-i", "lo", "-o", "/tmp/x").interfaceName());
        assertNull(conclude("-i", "-", "-o", "/tmp/x").interfaceName());
    }

    @Test
    void aBadDecapsulationValueIsAUsageFailure() {
        SetupException e = assertThrows(SetupException.class, () -> conclude("-i", "-", "-d", "--vni", "x", "-o", "/tmp/x"));
        assertEquals(Outcome.Status.BAD_USAGE, e.status());
    }

    @Test
    void gulpWaitsForAKafkaBrokerTenSecondsAtTheEndAndThirtyInKafkaConsumeUnlessTold() throws Exception {
        assertEquals(java.time.Duration.ofSeconds(10),
                conclude("--read", "x.pcap", "--kafka", "b:9092", "--kafka-topic", "t").kafkaTimeout());
        assertEquals(java.time.Duration.ofSeconds(30), conclude("kafka-consume", "b:9092", "--topic", "t", "-o", "/tmp/x").kafkaTimeout());
        assertEquals(java.time.Duration.ofMillis(2500), conclude("kafka-consume", "b:9092", "--topic", "t", "-o", "/tmp/x",
                "--kafka-timeout", "2.5").kafkaTimeout());
        assertEquals(java.time.Duration.ofSeconds(1), conclude("--read", "x.pcap", "--kafka", "b:9092", "--kafka-topic", "t",
                "--kafka-timeout", "1").kafkaTimeout());
        UsageException e = assertThrows(UsageException.class, () -> conclude("--read", "x.pcap", "--kafka-timeout", "1"));
        assertEquals("--kafka-timeout needs --kafka BOOTSTRAP or gulp kafka-consume", e.getMessage());
    }
}
