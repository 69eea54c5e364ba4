package gulp.filter;

import gulp.testing.Frames;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java interpreter keeps exactly the frames tcpdump's (libpcap's) own filter keeps. */
class BpfInterpreterAgreesWithTcpdumpTest {

    @TempDir
    static Path temp;
    static Path synthetic;

    @BeforeAll
    static void writeSyntheticCapture() throws IOException {
        Random r = new Random(20261126);
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            byte[] frame = Frames.randomFrame(r);
            // some truncated captures; never caplen 0, which tcpdump prints without a timestamp
            int caplen = r.nextInt(6) == 0 ? 1 + r.nextInt(frame.length) : frame.length;
            frames.add(new PcapFiles.Frame(0, frame.length, Arrays.copyOf(frame, caplen)));
        }
        synthetic = temp.resolve("synthetic.pcap");
        PcapFiles.writeFrames(synthetic, frames);
    }

    static Stream<Arguments> captures() throws IOException {
        List<Path> files = new ArrayList<>(PcapFiles.zeekFiles());
        assertTrue(files.size() >= 10, "zeek test captures missing under " + PcapFiles.ZEEK.toAbsolutePath());
        files.add(null); // the synthetic capture, written by @BeforeAll
        return files.stream().map(f -> Arguments.of(f == null ? "synthetic" : f.getFileName().toString()));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void interpreterMatchesTheSameFramesAsTcpdump(String captureName) throws Exception {
        List<PcapFiles.Frame> frames = PcapFiles.read(captureName.equals("synthetic") ? synthetic : PcapFiles.ZEEK.resolve(captureName)).frames();
        Path file = temp.resolve("numbered-" + captureName);   // same frames, timestamp second = frame number
        PcapFiles.writeFrames(file, Tcpdump.numbered(frames));
        // all frames back to back in one native segment, as in the product's ring
        long total = frames.stream().mapToLong(f -> f.data().length).sum();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(Math.max(1, total));
            long[] offsets = new long[frames.size()];
            long at = 0;
            for (int i = 0; i < frames.size(); i++) {
                offsets[i] = at;
                MemorySegment.copy(MemorySegment.ofArray(frames.get(i).data()), 0, ring, at, frames.get(i).data().length);
                at += frames.get(i).data().length;
            }
            int checked = 0;
            for (String expression : FilterCorpus.EXPRESSIONS) {
                BpfInterpreter interpreter = new BpfInterpreter(FilterCompiler.compile(expression));
                TreeSet<Integer> expected = Tcpdump.matchingFrames(file, expression);
                TreeSet<Integer> actual = new TreeSet<>();
                for (int i = 0; i < frames.size(); i++) {
                    PcapFiles.Frame f = frames.get(i);
                    if (interpreter.run(ring, offsets[i], f.data().length, f.wirelen()) != 0) actual.add(i + 1);
                }
                assertEquals(expected, actual, captureName + " '" + expression + "'");
                checked += expected.size();
            }
            if (captureName.equals("synthetic")) assertTrue(checked > 5000, "corpus matched too little: " + checked);
        }
    }
}
