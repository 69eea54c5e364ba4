package gulp.filter;

import gulp.testing.EncapsulatedTraffic;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.VethPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same compiled program decides the same in the Linux kernel (attached to gulp's live socket
 * on our own veth pair) and in the Java interpreter (run over the frames that were sent): the
 * live file holds exactly the frames the interpreter accepts, in order.
 */
class InterpreterAgreesWithKernelTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();
    @TempDir
    static Path work;
    private static List<byte[]> frames;

    @TempDir
    Path temp;

    @BeforeAll
    static void generateFrames() throws Exception {
        EncapsulatedTraffic.generate(work);
        frames = new ArrayList<>();
        for (String file : List.of("outer.pcap", "inner.pcap")) {
            for (byte[] frame : EncapsulatedTraffic.framesForVeth(work.resolve(file))) {
                int etherType = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
                // The receiving kernel strips an outer VLAN tag before filters run (libpcap compiles
                // live filters differently for that); tagged frames are left out of this comparison.
                if (frame.length >= 60 && etherType != 0x8100 && etherType != 0x88a8) {
                    frames.add(frame);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp or icmp", "ip6", "greater 200", "less 100", "udp port 53",
            "ip proto 47", "tcp[tcpflags] & tcp-syn != 0", "net 10.0.0.0/8", "arp or ether broadcast",
            "udp dst port 4789 or udp dst port 6081", "ip[6:2] & 0x3fff != 0"})
    void kernelKeepsExactlyWhatTheInterpreterAccepts(String expression) throws Exception {
        BpfInterpreter interpreter = new BpfInterpreter(FilterCompiler.compile(expression));
        List<String> expected = new ArrayList<>();
        for (byte[] frame : frames) {
            if (interpreter.matches(MemorySegment.ofArray(frame), 0, frame.length, frame.length)) {
                expected.add(HexFormat.of().formatHex(frame));
            }
        }
        Path out = temp.resolve("kernel.pcap");
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, out, temp.resolve("err.txt"), "-f", expression)) {
            assertTrue(gulp.stderrText().contains("(in the kernel)"), gulp.stderrText());
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, frames.size(), frames::get, 20_000, sent)
                    .get(60, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            assertEquals(expected.size(), gulp.counters().get("packets received by the kernel"), gulp.stderrText());
        }
        List<String> kept = new ArrayList<>();
        for (PcapFiles.Record record : PcapFiles.read(out).records()) {
            kept.add(HexFormat.of().formatHex(record.data()));
        }
        assertEquals(expected, kept, "frames the kernel kept for '" + expression + "'");
    }
}
