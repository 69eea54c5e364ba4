package gulp.filter;

import gulp.testing.Frames;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel program built for {@code -f EXPR -d} gives, for every fixed-shape encapsulated frame,
 * the verdict of the inner filter on the inner frame; everything else is handed whole to user
 * space or dropped. The outer frames are built here byte by byte, independently of EncapShape.
 */
class InnerFilterProgramTest {

    static final Map<String, BpfProgram> INNER = new LinkedHashMap<>();

    @BeforeAll
    static void compileCorpus() throws FilterException {
        for (String e : FilterCorpus.EXPRESSIONS) INNER.put(e, FilterCompiler.compile(e));
        INNER.put("(accept all)", FilterCompiler.compile(""));
    }

    record Wrapped(String shape, byte[] outer, int innerOffset) {}

    private static Frames.Bytes ethernetIpv4(Random r, int protocol, int payloadLength, int fragmentField, int ihl) {
        Frames.Bytes b = new Frames.Bytes().random(r, 12).u16(0x0800);
        b.u8(0x40 | ihl).u8(0).u16(ihl * 4 + payloadLength).u16(r.nextInt(0x10000)).u16(fragmentField)
                .u8(64).u8(protocol).u16(0).u32(0x0a000001).u32(0x0a000002);
        for (int i = 5; i < ihl; i++) b.u32(0x01010101);
        return b;
    }

    static Wrapped erspanII(Random r, byte[] inner) {
        return new Wrapped("ERSPAN-II", ethernetIpv4(r, 47, 8 + 8 + inner.length, 0x4000, 5)
                .u16(0x1000).u16(0x88be).u32(r.nextInt())                       // GRE with sequence
                .u16(0x1000 | r.nextInt(0x1000)).u16(r.nextInt(0x10000)).u32(r.nextInt(1 << 20)) // ERSPAN II header
                .bytes(inner).toArray(), 50);
    }

    static Wrapped erspanIII(Random r, byte[] inner) {
        return new Wrapped("ERSPAN-III", ethernetIpv4(r, 47, 8 + 12 + inner.length, 0, 5)
                .u16(0x1000).u16(0x22eb).u32(r.nextInt())
                .u16(0x2000 | r.nextInt(0x1000)).u16(r.nextInt(0x10000)).u32(r.nextInt())
                .u16(r.nextInt(0x10000)).u16((r.nextInt(2) << 15) | (r.nextInt(64) << 4) | (r.nextInt(8) << 1)) // FT=0, O=0
                .bytes(inner).toArray(), 54);
    }

    static Wrapped erspanI(Random r, byte[] inner) {
        return new Wrapped("ERSPAN-I", ethernetIpv4(r, 47, 4 + inner.length, 0, 5)
                .u16(0).u16(0x88be).bytes(inner).toArray(), 38);
    }

    static Wrapped greTeb(Random r, byte[] inner) {
        return new Wrapped("GRE-TEB", ethernetIpv4(r, 47, 4 + inner.length, 0x4000, 5)
                .u16(0).u16(0x6558).bytes(inner).toArray(), 38);
    }

    static Wrapped greTebKey(Random r, byte[] inner) {
        return new Wrapped("GRE-TEB-key", ethernetIpv4(r, 47, 8 + inner.length, 0, 5)
                .u16(0x2000).u16(0x6558).u32(r.nextInt()).bytes(inner).toArray(), 42);
    }

    static Wrapped vxlan(Random r, byte[] inner) {
        return new Wrapped("VXLAN", ethernetIpv4(r, 17, 8 + 8 + inner.length, 0, 5)
                .u16(r.nextInt(0x10000)).u16(4789).u16(16 + inner.length).u16(0)
                .u8(0x08).u8(0).u16(0).u32(r.nextInt(1 << 24) << 8).bytes(inner).toArray(), 50);
    }

    static Wrapped geneve(Random r, byte[] inner) {
        return new Wrapped("Geneve", ethernetIpv4(r, 17, 8 + 8 + inner.length, 0x4000, 5)
                .u16(r.nextInt(0x10000)).u16(6081).u16(16 + inner.length).u16(0)
                .u8(0).u8(0).u16(0x6558).u32(r.nextInt(1 << 24) << 8).bytes(inner).toArray(), 50);
    }

    /** Encapsulated frames no fixed shape covers: user space must see them whole. */
    static List<byte[]> uncheckableEncapsulations(Random r, byte[] inner) {
        List<byte[]> list = new ArrayList<>();
        list.add(ethernetIpv4(r, 47, 8 + 8 + inner.length, 0, 5).u16(0x1000).u16(0x88be).u32(1)
                .u16(0x2000).u16(0).u32(0).bytes(inner).toArray());                          // 0x88BE with version 2
        list.add(ethernetIpv4(r, 47, 8 + inner.length, 0, 5).u16(0x8000).u16(0x6558).u32(0).bytes(inner).toArray()); // checksum
        list.add(ethernetIpv4(r, 47, 4 + inner.length, 0, 6).u16(0).u16(0x6558).bytes(inner).toArray());  // IP options
        list.add(ethernetIpv4(r, 47, 4 + inner.length, 0x2000, 5).u16(0).u16(0x6558).bytes(inner).toArray()); // first fragment
        list.add(ethernetIpv4(r, 47, inner.length, 0x0010, 5).bytes(inner).toArray());      // later fragment of GRE
        list.add(ethernetIpv4(r, 17, 8 + inner.length, 0x0003, 5).bytes(inner).toArray());  // later UDP fragment (maybe VXLAN)
        list.add(ethernetIpv4(r, 17, 16 + inner.length, 0, 5).u16(1).u16(4789).u16(16 + inner.length).u16(0)
                .u8(0x00).u8(0).u16(0).u32(0).bytes(inner).toArray());                       // VXLAN without I flag
        list.add(ethernetIpv4(r, 17, 20 + inner.length, 0, 5).u16(1).u16(6081).u16(20 + inner.length).u16(0)
                .u8(0x01).u8(0).u16(0x6558).u32(0).u32(0x01020304).bytes(inner).toArray());  // Geneve with an option
        list.add(ethernetIpv4(r, 47, 40 + inner.length, 0, 5).u16(0x1000).u16(0x88be).u32(1)
                .u16(0x1000).u16(0).u32(0).bytes(inner).bytes(new byte[40]).toArray()); // IPv4 length > frame? no: trailer mismatch
        list.add(new Frames.Bytes().random(r, 12).u16(0x86dd).u32(0x60000000).u16(4 + inner.length).u8(47).u8(64)
                .random(r, 32).u16(0).u16(0x6558).bytes(inner).toArray());                   // IPv6 GRE
        list.add(new Frames.Bytes().random(r, 12).u16(0x86dd).u32(0x60000000).u16(16 + inner.length).u8(17).u8(64)
                .random(r, 32).u16(1).u16(4789).u16(16 + inner.length).u16(0).u8(8).u8(0).u16(0).u32(0)
                .bytes(inner).toArray());                                                     // IPv6 VXLAN
        list.add(new Frames.Bytes().random(r, 12).u16(0x8100).u16(100).u16(0x0800).bytes(inner).toArray()); // still tagged
        byte[] tiny = ethernetIpv4(r, 47, 4 + 14, 0, 5).u16(0).u16(0x6558).random(r, 14).u16(0).u32(0).u16(0).toArray();
        list.add(tiny);                                                                       // Ethernet trailer after the IP packet
        return list;
    }

    /** Frames that are certainly not encapsulation: always dropped. */
    static List<byte[]> plainFrames(Random r, byte[] inner) {
        List<byte[]> list = new ArrayList<>();
        list.add(ethernetIpv4(r, 6, 20 + inner.length, 0, 5).u16(80).u16(4789).u32(0).u32(0).u16(0x5000).u16(0).u32(0)
                .bytes(inner).toArray());                                                     // TCP to 4789
        list.add(ethernetIpv4(r, 17, 8 + 8 + inner.length, 0, 5).u16(4789).u16(53).u16(16).u16(0)
                .u8(8).u8(0).u16(0).u32(0).bytes(inner).toArray());                           // UDP *from* 4789
        list.add(new Frames.Bytes().random(r, 12).u16(0x0806).random(r, 28).toArray());       // ARP
        list.add(new Frames.Bytes().random(r, 12).u16(0x86dd).u32(0x60000000).u16(8).u8(58).u8(64)
                .random(r, 32).random(r, 8).toArray());                                        // ICMPv6
        list.add(new byte[]{1, 2, 3});                                                        // runt
        return list;
    }

    private static int verdict(BpfInterpreter interpreter, byte[] frame) {
        return interpreter.run(MemorySegment.ofArray(frame), 0, frame.length, frame.length);
    }

    private static int relocatedVerdict(int innerVerdict, int offset) {
        return innerVerdict == 0 ? 0 : (int) Math.min(Integer.toUnsignedLong(innerVerdict) + offset, 0xffffffffL);
    }

    @Test
    void fixedShapesGetTheInnerFiltersVerdictAndOthersAreDecidedByUserSpace() throws FilterException {
        Random r = new Random(42);
        List<byte[]> innerFrames = new ArrayList<>();
        for (int i = 0; i < 150; i++) innerFrames.add(Frames.randomFrame(r));
        int accepted = 0, rejected = 0;
        for (Map.Entry<String, BpfProgram> e : INNER.entrySet()) {
            BpfInterpreter innerFilter = new BpfInterpreter(e.getValue());
            for (boolean passUnknown : new boolean[]{true, false}) {
                BpfProgram program = InnerFilterProgram.build(e.getValue(), EncapShape.standard(), passUnknown);
                BpfInterpreter kernel = new BpfInterpreter(program);
                for (byte[] inner : innerFrames) {
                    int expectedInner = verdict(innerFilter, inner);
                    for (Wrapped w : List.of(erspanII(r, inner), erspanIII(r, inner), erspanI(r, inner), greTeb(r, inner),
                            greTebKey(r, inner), vxlan(r, inner), geneve(r, inner))) {
                        assertEquals(relocatedVerdict(expectedInner, w.innerOffset()), verdict(kernel, w.outer()),
                                () -> w.shape() + " '" + e.getKey() + "' inner frame " + java.util.HexFormat.of().formatHex(inner));
                        if (expectedInner != 0) accepted++; else rejected++;
                    }
                    for (byte[] other : uncheckableEncapsulations(r, inner)) {
                        assertEquals(passUnknown ? InnerFilterProgram.ACCEPT_WHOLE : 0, verdict(kernel, other),
                                () -> "uncheckable " + java.util.HexFormat.of().formatHex(other));
                    }
                    for (byte[] plain : plainFrames(r, inner)) {
                        assertEquals(0, verdict(kernel, plain), () -> "plain " + java.util.HexFormat.of().formatHex(plain));
                    }
                }
            }
        }
        assertTrue(accepted > 1000 && rejected > 1000, "accepted " + accepted + ", rejected " + rejected);
    }

    @Test
    void truncatedEncapsulationIsNotMistakenForAShape() throws FilterException {
        Random r = new Random(7);
        BpfProgram inner = FilterCompiler.compile("less 100");
        BpfInterpreter kernel = new BpfInterpreter(InnerFilterProgram.build(inner, EncapShape.standard(), true));
        byte[] whole = erspanII(r, Frames.randomFrame(r)).outer();
        for (int cut = 1; cut < 50; cut++) {
            byte[] part = java.util.Arrays.copyOf(whole, cut);
            int v = verdict(kernel, part);
            assertTrue(v == 0 || v == InnerFilterProgram.ACCEPT_WHOLE, "cut " + cut + " gave " + v);
        }
    }

    @Test
    void programFitsTheKernelLimitAndListsShapeNames() throws FilterException {
        BpfProgram inner = FilterCompiler.compile("tcp port 80 or udp port 53 or icmp or vlan and udp");
        BpfProgram program = InnerFilterProgram.build(inner, EncapShape.standard(), true);
        program.validate();
        assertTrue(program.length() < 400, "length " + program.length());
        assertEquals(List.of("ERSPAN-II", "ERSPAN-III", "ERSPAN-I", "GRE-TEB", "GRE-TEB-key", "VXLAN", "Geneve"),
                InnerFilterProgram.shapeNames(EncapShape.standard()));
        assertEquals(List.of("VXLAN", "VXLAN/8472"), InnerFilterProgram.shapeNames(
                List.of(EncapShape.vxlan(4789), EncapShape.vxlan(8472))));
    }

    /** Real remote-capture traffic from Zeek's test suite: which frames the kernel program can check itself. */
    @Test
    void realCapturesAreRecognisedByTheirShape() throws Exception {
        int acceptAll = 262144;
        Map<String, Map<Integer, Integer>> expected = Map.ofEntries(
                Map.entry("erspan.pcap", Map.of(acceptAll + 42, 232, -1, 55)),      // GRE-TEB with key; 55 outer fragments
                Map.entry("erspanI.pcap", Map.of(acceptAll + 38, 10)),
                Map.entry("erspanII.pcap", Map.of(acceptAll + 50, 4)),
                Map.entry("erspanIII.pcap", Map.of(acceptAll + 54, 2)),
                Map.entry("gre-erspan3-dot1q.pcap", Map.of(-1, 2)),                   // no GRE sequence, platform sub-header
                Map.entry("gre-sample.pcap", Map.of(-1, 40)),
                Map.entry("geneve.pcap", Map.of(acceptAll + 50, 3, -1, 3)),           // 3 carry an option
                Map.entry("geneve-many-options.pcap", Map.of(-1, 10)),
                Map.entry("vxlan.pcap", Map.of(acceptAll + 50, 10)),
                Map.entry("vxlan-encapsulated-http.pcap", Map.of(acceptAll + 50, 12)),
                Map.entry("vxlan-triple-v2.pcap", Map.of(acceptAll + 50, 1)));
        BpfInterpreter kernelAcceptAll = new BpfInterpreter(InnerFilterProgram.build(INNER.get("(accept all)"), EncapShape.standard(), true));
        for (Map.Entry<String, Map<Integer, Integer>> file : expected.entrySet()) {
            List<PcapFiles.Frame> frames = PcapFiles.read(PcapFiles.ZEEK.resolve(file.getKey())).frames();
            Map<Integer, Integer> histogram = new java.util.TreeMap<>();
            for (PcapFiles.Frame f : frames) histogram.merge(verdict(kernelAcceptAll, f.data()), 1, Integer::sum);
            assertEquals(new java.util.TreeMap<>(file.getValue()), histogram, file.getKey());

            // and for every expression, a recognised frame gets the inner filter's verdict on the rest of the frame
            for (Map.Entry<String, BpfProgram> e : INNER.entrySet()) {
                BpfInterpreter kernel = new BpfInterpreter(InnerFilterProgram.build(e.getValue(), EncapShape.standard(), true));
                BpfInterpreter inner = new BpfInterpreter(e.getValue());
                for (PcapFiles.Frame f : frames) {
                    int shapeVerdict = verdict(kernelAcceptAll, f.data());
                    if (shapeVerdict == -1) {
                        assertEquals(-1, verdict(kernel, f.data()));
                        continue;
                    }
                    int offset = shapeVerdict - acceptAll;
                    byte[] innerFrame = java.util.Arrays.copyOfRange(f.data(), offset, f.data().length);
                    assertEquals(relocatedVerdict(verdict(inner, innerFrame), offset), verdict(kernel, f.data()),
                            file.getKey() + " '" + e.getKey() + "'");
                }
            }
        }
    }
}
