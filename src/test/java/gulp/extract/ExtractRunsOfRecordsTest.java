package gulp.extract;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static gulp.extract.ExtractCommandTest.BASE;
import static gulp.extract.ExtractCommandTest.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Without a filter the records of a file in time order go into the ring in runs, as they are
 * ({@link PcapCursor#verbatimRun}); with a filter that keeps everything they go one by one. Both
 * must write the same bytes, and the records of the window in the merge's order.
 */
class ExtractRunsOfRecordsTest {
    static final String KEEP_ALL = "len >= 0";

    /**
     * A pcap file of {@code n} records from {@code first}, a few microseconds apart (runs of equal
     * timestamps too), of random lengths over several read buffers, some whose header the writer
     * would not write as it is (a wire length below the captured one, a fraction of a second
     * out of range).
     */
    static byte[] file(Random random, long first, int n, List<long[]> stamps, int fileNo) {
        ByteBuffer out = ByteBuffer.allocate(24 + n * (16 + 1600)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(PcapFiles.header(true, ByteOrder.LITTLE_ENDIAN, 262144, PcapFiles.LINKTYPE_ETHERNET));
        long t = first;
        for (int i = 0; i < n; i++) {
            t += random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(5000);
            int cap = 46 + random.nextInt(1500);
            int seconds = (int) (t / 1_000_000_000L);
            int fraction = (int) (t % 1_000_000_000L);
            int wire = cap + random.nextInt(3);
            int odd = random.nextInt(500);
            if (odd == 0) {
                wire = cap - 1; // the writer writes the captured length as the wire length
            } else if (odd == 1 && fraction < 1_000_000) {
                seconds -= 1;
                fraction += 1_000_000_000; // the same instant, written normalised
            }
            out.putInt(seconds).putInt(fraction).putInt(cap).putInt(wire);
            byte[] data = Arrays.copyOf(ExtractCommandTest.frame(1 + i % 5, 1000 + fileNo, i), cap);
            out.put(data);
            stamps.add(new long[] {t, fileNo, i});
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void runsOfRecordsWriteWhatRecordByRecordWritesInTheMergesOrder(@TempDir Path dir) throws Exception {
        Random random = new Random(1313);
        Path d = Files.createDirectory(dir.resolve("d"));
        List<long[]> stamps = new ArrayList<>();
        // a and b follow each other (b starts at a's last timestamp: equal timestamps at the seam);
        // c overlaps both; each is several 1 MiB read buffers long.
        byte[] a = file(random, BASE, 6000, stamps, 0);
        Files.write(d.resolve("a.pcap"), a);
        long aLast = stamps.get(stamps.size() - 1)[0];
        Files.write(d.resolve("b.pcap"), file(random, aLast, 6000, stamps, 1));
        Files.write(d.resolve("c.pcap"), file(random, aLast - 3_000_000, 600, stamps, 2));
        assertEquals(0, GulpProcess.run(null, null, "index", d.toString()).status());
        long first = stamps.get(0)[0];
        long last = stamps.stream().mapToLong(s -> s[0]).max().orElseThrow();
        long[][] windows = {{Long.MIN_VALUE, Long.MAX_VALUE}, {first + 1_000_000, last - 1_000_000},
                {aLast - 5_000_000, aLast + 5_000_000}, {aLast, aLast + 1}};
        for (long[] w : windows) {
            for (String ring : new String[] {"100", "1"}) { // a 1 MiB ring: runs of at most 256 KiB, wrapping
                List<String> args = new ArrayList<>(List.of("extract", d.toString(), "-q", "-r", ring));
                if (w[0] != Long.MIN_VALUE) {
                    args.addAll(List.of("--from", at(w[0]), "--to", at(w[1])));
                }
                Path runs = dir.resolve("runs.pcap");
                Path one = dir.resolve("one.pcap");
                var r = GulpProcess.run(null, runs, args.toArray(String[]::new));
                assertEquals(0, r.status(), r.stderr());
                args.addAll(List.of("-f", KEEP_ALL));
                r = GulpProcess.run(null, one, args.toArray(String[]::new));
                assertEquals(0, r.status(), r.stderr());
                String what = "window " + Arrays.toString(w) + ", -r " + ring;
                assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(runs), what);
                List<Long> expected = stamps.stream().filter(s -> s[0] >= w[0] && s[0] < w[1])
                        .sorted((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : x[1] != y[1] ? Long.compare(x[1], y[1])
                                : Long.compare(x[2], y[2]))
                        .map(s -> s[0]).toList();
                assertEquals(expected, ExtractCommandTest.extracted(runs), what);
            }
        }
    }

    @Test
    void runsOfRecordsRotateIntoTheSameFilesAsRecordByRecord(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        Path d = Files.createDirectory(dir.resolve("d"));
        List<long[]> stamps = new ArrayList<>();
        Files.write(d.resolve("a.pcap"), file(random, BASE, 6000, stamps, 0));
        Path runs = Files.createDirectory(dir.resolve("runs"));
        Path one = Files.createDirectory(dir.resolve("one"));
        var r = GulpProcess.run(null, null, "extract", d.toString(), "-q", "-o", runs.toString(), "--rotate-size", "300K");
        assertEquals(0, r.status(), r.stderr());
        r = GulpProcess.run(null, null, "extract", d.toString(), "-q", "-o", one.toString(), "--rotate-size", "300K",
                "-f", KEEP_ALL);
        assertEquals(0, r.status(), r.stderr());
        List<String> names;
        try (var listing = Files.list(one)) {
            names = listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pcap")).sorted().toList();
        }
        assertEquals(true, names.size() > 5, names.toString());
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(one.resolve(name)), Files.readAllBytes(runs.resolve(name)), name);
        }
        try (var listing = Files.list(runs)) {
            assertEquals(names.size(), listing.filter(p -> p.toString().endsWith(".pcap")).count());
        }
    }
}
