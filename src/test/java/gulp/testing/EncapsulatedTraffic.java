package gulp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scapy-generated encapsulated traffic (src/test/resources/gulp/decap/generate_encapsulated.py):
 * outer.pcap with the ERSPAN/GRE/VXLAN/Geneve frames, inner.pcap with the frames inside them,
 * stream.pcap with ERSPAN sequence numbers.
 */
public final class EncapsulatedTraffic {
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final Path SCRIPT = Path.of("src", "test", "resources", "gulp", "decap", "generate_encapsulated.py");
    private static final Path RELINK = Path.of("src", "test", "resources", "gulp", "decap", "relink.py");

    private EncapsulatedTraffic() {
    }

    /** Writes the files into {@code directory}; skips the calling test when python3 or scapy is missing. */
    public static void generate(Path directory) {
        Tools.Output generator = Tools.run(PYTHON, SCRIPT.toString(), directory.toString());
        assumeTrue(generator.status() != Tools.NOT_STARTED, "python3 not available");
        String log = generator.stdout() + generator.stderr();
        assumeTrue(generator.status() == 0 || !log.contains("No module named 'scapy'"), "python3-scapy not installed");
        assertEquals(0, generator.status(), log);
    }

    /**
     * Writes {@code directory}/outer.pcap again as Linux cooked v1 and v2, raw IP, IPv4 and IPv6
     * captures (sll, sll2, raw, ipv4, ipv6 .pcap, each with a .index of its source frames).
     */
    public static void relink(Path directory) {
        Tools.Output relink = Tools.run(PYTHON, RELINK.toString(), directory.resolve("outer.pcap").toString(), directory.toString());
        assertEquals(0, relink.status(), relink.stdout() + relink.stderr());
    }

    /**
     * The frames of a generated capture as they can be sent across a {@link VethPair}: addressed to
     * its capture end, and none longer than the veth's MTU allows.
     */
    public static List<byte[]> framesForVeth(Path capture) throws IOException {
        byte[] captureMac = HexFormat.ofDelimiter(":").parseHex(VethPair.CAPTURE_MAC);
        List<byte[]> frames = new ArrayList<>();
        for (PcapFiles.Record record : PcapFiles.read(capture).records()) {
            byte[] frame = record.data().clone();
            if (frame.length <= Frames.MAX_LENGTH) {
                System.arraycopy(captureMac, 0, frame, 0, 6);
                frames.add(frame);
            }
        }
        return frames;
    }
}
