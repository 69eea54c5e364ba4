package gulp.decap;

import gulp.format.PcapRecordHeader;
import com.code_intelligence.jazzer.junit.FuzzTest;
import gulp.capture.CaptureFileSource;
import gulp.testing.FuzzSeeds;
import gulp.testing.PcapFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the decapsulator (docs/fuzzing.md). Without {@code JAZZER_FUZZ} this
 * runs the inputs in
 * {@code src/test/resources/gulp/decap/DecapsulatorFuzzTestInputs} as regression tests.
 */
public class DecapsulatorFuzzTest {
    static final long T = 1_764_000_000_000_000_000L;
    /** Packet time between two packets of a stream is this times the step byte (timeout: 2 s). */
    static final long TIME_STEP_NANOS = 50_000_000L;
    /** The reassembler keeps each datagram in a slot of this many bytes of its buffer. */
    static final int SLOT_BYTES = 65536;

    /** One decapsulator per configuration byte value (each owns 4 MiB of reassembly buffers). */
    private static final Decapsulator[] DECAPSULATORS = new Decapsulator[32];
    private static final MemorySegment ASSEMBLY = Arena.global().allocate(PcapRecordHeader.MAX_CAPLEN + 64L, 8);

    /**
     * The input: one configuration byte, then packets, each {@code u16 length, s8 wire-length
     * delta, u8 time step} and its bytes ({@link #packetStream}). Each packet is handed over as a
     * segment of exactly its captured bytes, so a read outside them throws. Checks: never an
     * exception; an inner frame lies inside its packet (or, when reassembled, inside one
     * reassembly slot); lengths consistent; a skip always has a reason.
     */
    @FuzzTest(maxDuration = "12s")
    void decapsulatorKeepsInnerFramesInsideTheirPacket(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Decapsulator decap = decapsulator(data[0] & 31);
        decap.finish(); // forget fragments of the previous input
        DecapResult r = new DecapResult();
        MemorySegment input = MemorySegment.ofArray(data);
        long ts = T;
        int at = 1;
        while (at + 4 <= data.length) {
            int length = (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
            int caplen = Math.min(length, data.length - at - 4);
            int wirelen = Math.max(0, caplen + data[at + 2]);
            ts += (data[at + 3] & 0xFF) * TIME_STEP_NANOS;
            MemorySegment packet = input.asSlice(at + 4, caplen);
            at += 4 + caplen;

            DecapOutcome outcome = decap.decapsulate(packet, 0, caplen, wirelen, ts, r);
            HostileInputTest.checkInvariants(outcome, r, packet, 0, caplen, wirelen);
            if (outcome == DecapOutcome.INNER) {
                if (r.reassembled()) {
                    long slot = r.offset() / SLOT_BYTES;
                    assertTrue(r.offset() + r.innerCaplen() <= (slot + 1) * SLOT_BYTES,
                            "reassembled inner frame inside its reassembly slot");
                }
                int copied = r.copyTo(ASSEMBLY, 0, (int) ASSEMBLY.byteSize());
                assertEquals(r.recordCaplen(), copied, "the whole record is copied");
                assertTrue(r.recordCaplen() <= r.recordWireLength(), "record lengths");
            } else if (outcome == DecapOutcome.HELD) {
                assertTrue(decap.fragmentsInFlight() >= 1 && decap.fragmentsInFlight() <= FragmentReassembler.SLOTS,
                        "fragments in flight: " + decap.fragmentsInFlight());
            }
            assertTrue(decap.heldOutputBytes() <= (long) FragmentReassembler.SLOTS * (FragmentReassembler.MAX_PAYLOAD + 64),
                    "held bytes bounded");
        }
    }

    /**
     * Bits 0-1: kinds (all; ERSPAN and GRE; VXLAN and Geneve; ERSPAN only), bit 2: ERSPAN III
     * hardware time, bit 3: sessions 1 and 5 only, bit 4: VNIs 7 and 100 only.
     */
    static synchronized Decapsulator decapsulator(int config) {
        if (DECAPSULATORS[config] == null) {
            Set<EncapKind> kinds = switch (config & 3) {
                case 0 -> EnumSet.allOf(EncapKind.class);
                case 1 -> EnumSet.of(EncapKind.ERSPAN, EncapKind.GRE);
                case 2 -> EnumSet.of(EncapKind.VXLAN, EncapKind.GENEVE);
                default -> EnumSet.of(EncapKind.ERSPAN);
            };
            DecapConfig.Builder builder = DecapConfig.builder().kinds(kinds).useErspanHardwareTime((config & 4) != 0);
            if ((config & 8) != 0) builder.erspanSessions(Set.of(1, 5));
            if ((config & 16) != 0) builder.vnis(Set.of(7, 100));
            DECAPSULATORS[config] = new Decapsulator(builder.build());
        }
        return DECAPSULATORS[config];
    }

    /**
     * Seeds: the first packets of each real capture (all of erspan.pcap's outer fragments up to
     * 40 packets), each under the default configuration and one other, and the hostile-input
     * templates with their fragments.
     */
    public static FuzzSeeds.Seeds seeds() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (DirectoryStream<Path> captures = Files.newDirectoryStream(PcapFiles.ZEEK, "*.pcap")) {
            for (Path capture : captures) {
                List<byte[]> frames = new ArrayList<>();
                for (PcapFiles.Frame f : PcapFiles.ethernetFrames(capture)) {
                    if (frames.size() < (capture.endsWith("erspan.pcap") ? 40 : 6)) frames.add(f.data());
                }
                String name = capture.getFileName().toString().replace(".pcap", "");
                files.put(name + ".stream", packetStream(0, frames));
                files.put(name + "-config-" + (name.contains("erspan") ? "hwtime-sessions" : "udp-vnis") + ".stream",
                        packetStream(name.contains("erspan") ? 4 | 8 : 2 | 16, frames));
            }
        }
        files.put("hostile-templates.stream", packetStream(0, HostileInputTest.templates()));
        return new FuzzSeeds.Seeds(DecapsulatorFuzzTest.class, "decapsulatorKeepsInnerFramesInsideTheirPacket", files);
    }

    /** The input format of {@link #decapsulatorKeepsInnerFramesInsideTheirPacket}: whole frames, 50 ms apart. */
    static byte[] packetStream(int config, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(config);
        for (byte[] frame : frames) {
            out.write(frame.length >>> 8);
            out.write(frame.length);
            out.write(0);
            out.write(1);
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }
}
