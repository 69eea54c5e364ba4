package gulp.extract;

import gulp.format.PcapRecordEncoder;
import gulp.format.PcapngRecordEncoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The index's warm-up shows the summary the packets its frames stand for (so the path compiled is
 * the one real traffic takes), and leaves nothing behind: no index thread, no file.
 */
class IndexWarmUpTest {
    private static final int ETHERNET = 1;

    @Test
    void eachKindOfWarmUpFrameIsReadByTheSummaryAsThePacketItStandsFor() {
        try (Arena arena = Arena.ofConfined()) {
            for (int kind = 0; kind < IndexWarmUp.LENGTH.length; kind++) {
                MemorySegment frame = arena.allocate(128);
                IndexWarmUp.setFlow(frame, IndexWarmUp.writeFrame(frame, kind), 7);
                TrafficSummary summary = new TrafficSummary(ETHERNET);
                summary.add(frame, 0, IndexWarmUp.LENGTH[kind]);
                String what = "kind " + kind;
                if (kind == IndexWarmUp.UDP6) {
                    assertTrue(summary.mayHaveV6(0x20010DB8_00000000L, 0x0A000007L) && summary.mayHaveV6(0x20010DB8_00000000L, 1), what);
                } else {
                    assertTrue(summary.mayHaveV4(0x0A000007) && summary.mayHaveV4(0x0A010001), what);
                    assertFalse(summary.mayHaveV4(0x0A000008), what);
                }
                if (kind != IndexWarmUp.ARP) {
                    int protocol = kind == IndexWarmUp.TCP4 || kind == IndexWarmUp.OPTIONS4 ? 6 : 17;
                    assertTrue(summary.mayHaveProtocol(protocol) && !summary.mayHaveProtocol(23 - protocol), what);
                    assertTrue(summary.mayHavePort(1031) && summary.mayHavePort(53) && !summary.mayHavePort(1032), what);
                }
            }
        }
    }

    @Test
    void warmingUpStartsNoIndexThreadAndWritesNoFile() throws Exception {
        Set<String> filesBefore = listing(Path.of(""));
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        for (boolean pcapng : new boolean[] {false, true}) {
            try (IndexWarmUp warmUp = new IndexWarmUp(ETHERNET, pcapng ? new PcapngRecordEncoder(262144, "Linux")
                    : new PcapRecordEncoder(false, 262144), pcapng)) {
                while (warmUp.recordsIndexed() < IndexWarmUp.MAX_RECORDS) {
                    warmUp.indexBatch();
                }
                warmUp.indexBatch();
                assertEquals(IndexWarmUp.MAX_RECORDS, warmUp.recordsIndexed()); // then it does nothing
            }
        }
        Set<Thread> started = Thread.getAllStackTraces().keySet().stream().filter(t -> !threadsBefore.contains(t))
                .collect(Collectors.toSet());
        assertTrue(started.stream().noneMatch(t -> t.getName().startsWith("gulp-")), started::toString);
        assertEquals(filesBefore, listing(Path.of("")));
    }

    private static Set<String> listing(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir.toAbsolutePath())) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
