package gulp.output;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileNamerTest {
    private static final long T = 1_764_138_912_123_456_789L; // 2025-11-26 06:35:12.123456789 UTC

    @Test
    void plainNamesAreZeroPaddedAndContinueAfterExistingOnes() throws Exception {
        FileNamer namer = FileNamer.of("pcap", false, null, 0);
        namer.continueAfter(List.of("pcap000000.pcap", "pcap000041.pcap", "other000099.pcap", ".pcap000077.pcap.part"), line -> { });
        assertEquals("pcap000042.pcap", namer.next(T));
        assertEquals("pcap000043.pcap", namer.next(T));
    }

    @Test
    void aPlantedHugeSequenceNumberIsIgnoredInsteadOfOverflowingLaterNames() throws Exception {
        FileNamer namer = FileNamer.of("pcap", false, null, 0);
        List<String> report = new ArrayList<>();
        namer.continueAfter(List.of("pcap000005.pcap", "pcap9223372036854775806.pcap", "pcap99999999999999999999999.pcap"),
                report::add);
        assertEquals("pcap000006.pcap", namer.next(T));
        assertEquals(1, report.size(), report.toString());
        assertTrue(report.get(0).contains("pcap9223372036854775806.pcap") && report.get(0).contains("2 files"), report.get(0));
        FileNamer atTheLimit = FileNamer.of("pcap", false, null, 0);
        atTheLimit.continueAfter(List.of("pcap" + (FileNamer.MAX_SEQUENCE - 1) + ".pcap"), line -> { });
        assertEquals("pcap" + FileNamer.MAX_SEQUENCE + ".pcap", atTheLimit.next(T));
        assertTrue(namer.makes("pcap000042.pcap"));
        assertFalse(namer.makes("pcap9223372036854775806.pcap"));
        assertFalse(namer.makes("other000042.pcap"));
    }

    @Test
    void sequenceIsWideEnoughForMaxFiles() throws Exception {
        assertEquals("x00000000.pcap", FileNamer.of("x", false, null, 100_000_000).next(T));
    }

    @Test
    void timestampedNamesNeverCollideAndSortInOrderAtHundredsOfRotationsPerSecond() throws Exception {
        FileNamer namer = FileNamer.of("pcap", true, null, 0);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            names.add(namer.next(T + i * 1_000_000L / 3)); // 3000 per second: several per millisecond
        }
        assertEquals(names.size(), new HashSet<>(names).size());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(names, sorted);
        assertEquals("pcap_20251126-063512.123_000000.pcap", names.get(0));
    }

    @Test
    void templateUsesStrftimeFieldsAndTheSequence() throws Exception {
        FileNamer namer = FileNamer.of("edge", false, "%{name}-%Y%m%d-%H%M%S-%{seq}", 0);
        assertEquals("edge-20251126-063512-000000.pcap", namer.next(T));
        FileNamer noSeq = FileNamer.of("edge", false, "cap-%Y-%j", 0);
        assertEquals("cap-2025-330_000000.pcap", noSeq.next(T));
        noSeq.continueAfter(List.of("cap-2025-329_000007.pcap"), line -> { });
        assertEquals("cap-2025-330_000008.pcap", noSeq.next(T));
    }

    @Test
    void namesThatWouldLeaveTheDirectoryAreRefused() {
        assertThrows(OutputException.class, () -> FileNamer.of("a/b", false, null, 0));
        assertThrows(OutputException.class, () -> FileNamer.of("p", false, "../%{seq}", 0));
        assertThrows(OutputException.class, () -> FileNamer.of("p", false, ".hidden%{seq}", 0));
    }

    @Test
    void partNamesAreHiddenAndMapBack() {
        assertEquals(".pcap000001.pcap.part", FileNamer.partName("pcap000001.pcap"));
        assertEquals("pcap000001.pcap", FileNamer.finalNameOfPart(".pcap000001.pcap.part"));
        assertNull(FileNamer.finalNameOfPart("pcap000001.pcap"));
    }

    @Test
    void indexNamesMapBackToTheirFile() {
        assertEquals("pcap000001.pcap.idx", FileNamer.indexName("pcap000001.pcap"));
        assertEquals("pcap000001.pcap", FileNamer.finalNameOfIndex("pcap000001.pcap.idx"));
        assertNull(FileNamer.finalNameOfIndex("pcap000001.pcap"));
        assertNull(FileNamer.finalNameOfIndex(".idx"));
    }
}
