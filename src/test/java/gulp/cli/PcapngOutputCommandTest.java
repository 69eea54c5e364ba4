package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.PcapngFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --format pcapng} of file input, rotated, mixed link types, {@code -d}, recovered: read back by tshark, capinfos and tcpdump. */
class PcapngOutputCommandTest {
    private static final int ISB_IFRECV = 4;
    private static final int ISB_IFDROP = 5;
    private static final int ISB_FILTERACCEPT = 6;
    private static final int ISB_OSDROP = 7;
    private static final int ISB_USRDELIV = 8;

    @TempDir
    Path dir;

    @Test
    void aCaptureFileWrittenAsPcapngHasTheSamePacketsAndDescribesItself() throws Exception {
        Path input = PcapFiles.ZEEK.resolve("gre-sample.pcap");
        Path output = dir.resolve("out.pcapng");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-", "--format", "pcapng");
        assertEquals(0, result.status(), result.stderr());
        Tools.Output inDump = Tools.run("tcpdump", "-nn", "-tt", "-r", input.toString());
        Tools.Output outDump = Tools.run("tcpdump", "-nn", "-tt", "-r", output.toString());
        assertEquals(0, outDump.status(), outDump.stderr());
        // Same packets; tcpdump prints microseconds for both (the output has nanoseconds).
        assertEquals(inDump.stdout(), outDump.stdout());
        String info = Tools.check("capinfos", output.toString());
        assertTrue(info.contains("pcapng"), info);
        assertTrue(info.contains("Capture application: gulp "), info);
        assertTrue(info.contains("Number of interfaces in file: 1"), info);
        assertTrue(info.contains("Number of stat entries = 1"), info);
        assertTrue(info.contains("Time resolution = 0x09"), info);
        List<PcapngFiles.Block> blocks = PcapngFiles.read(output);
        assertEquals(PcapngFiles.SHB, blocks.get(0).type());
        assertEquals(PcapngFiles.IDB, blocks.get(1).type());
        PcapngFiles.Block isb = blocks.get(blocks.size() - 1);
        assertEquals(PcapngFiles.ISB, isb.type());
        long written = result.counter("records written");
        assertEquals(written, PcapngFiles.ofType(blocks, PcapngFiles.EPB).size());
        assertEquals(written, isb.count(ISB_USRDELIV));
        assertEquals(written, isb.count(ISB_FILTERACCEPT));
        assertEquals(0, isb.count(ISB_IFDROP));
        assertEquals(0, isb.count(ISB_OSDROP));
        assertEquals(-1, isb.count(ISB_IFRECV), "not known for a file input: left out");
    }

    @Test
    void everyRotatedFileStartsWithItsInterfacesAndEndsWithItsStatistics() throws Exception {
        Path input = PcapFiles.writeSynthetic(dir.resolve("in.pcap"), 55, 100, 1_700_000_000L);
        Path out = Files.createDirectory(dir.resolve("out"));
        GulpProcess.Result result = GulpProcess.run(input, null, "-i", "-", "--format", "pcapng", "-o", out.toString(),
                "--rotate-packets", "10");
        assertEquals(0, result.status(), result.stderr());
        List<Path> files = PcapFiles.outputFiles(out);
        assertEquals(6, files.size(), files.toString());
        assertTrue(files.stream().allMatch(f -> f.getFileName().toString().matches("pcap\\d{6}\\.pcapng")), files.toString());
        long delivered = 0;
        for (Path file : files) {
            List<PcapngFiles.Block> blocks = PcapngFiles.read(file);
            assertEquals(PcapngFiles.SHB, blocks.get(0).type(), file.toString());
            assertEquals(PcapngFiles.IDB, blocks.get(1).type(), file.toString());
            assertEquals(1, PcapngFiles.ofType(blocks, PcapngFiles.IDB).size(), file.toString());
            List<PcapngFiles.Block> statistics = PcapngFiles.ofType(blocks, PcapngFiles.ISB);
            assertEquals(1, statistics.size(), file.toString());
            assertEquals(PcapngFiles.ISB, blocks.get(blocks.size() - 1).type(), file.toString());
            int packets = PcapngFiles.ofType(blocks, PcapngFiles.EPB).size();
            delivered += packets;
            assertEquals(delivered, statistics.get(0).count(ISB_USRDELIV), "since the start of the run: " + file);
            String count = Tools.check("capinfos", "-M", "-c", file.toString());
            assertTrue(count.contains("Number of packets:   " + packets), count);
            Tools.Output dump = Tools.run("tcpdump", "-nn", "-r", file.toString());
            assertEquals(0, dump.status(), dump.stderr());
        }
        assertEquals(55, delivered);
    }

    @Test
    void anUnknownFormatOrPcapngWithAnOpaqueCopyIsABadUsageInOneLine() throws Exception {
        GulpProcess.Result unknown = GulpProcess.run(null, null, "-i", "-", "--format", "pcapx");
        assertEquals(2, unknown.status(), unknown.stderr());
        assertTrue(unknown.stderr().contains("--format takes pcap or pcapng, not pcapx"), unknown.stderr());
        GulpProcess.Result opaque = GulpProcess.run(null, null, "-c", "--format", "pcapng");
        assertEquals(2, opaque.status(), opaque.stderr());
        assertTrue(opaque.stderr().contains("cannot be combined with --format pcapng"), opaque.stderr());
    }

    /** One Ethernet and one raw-IP interface in one pcapng input, each with one packet. */
    private Path mixedLinkTypes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(PcapngFiles.sectionHeader());
        bytes.write(PcapngFiles.interfaceDescription(1, 65535));
        bytes.write(PcapngFiles.interfaceDescription(101, 65535));
        byte[] ethernet = new byte[60];
        ethernet[12] = 0x08; // IPv4 EtherType, then zeros
        bytes.write(PcapngFiles.enhancedPacket(0, 1_700_000_000_000_000L, ethernet));
        byte[] ip = new byte[40];
        ip[0] = 0x45;
        ip[3] = 40;
        ip[8] = 64;
        ip[9] = 17;
        bytes.write(PcapngFiles.enhancedPacket(1, 1_700_000_000_000_001L, ip));
        return Files.write(dir.resolve("mixed.pcapng"), bytes.toByteArray());
    }

    @Test
    void inputInterfacesOfDifferentLinkTypesBecomePcapngInterfaces() throws Exception {
        Path output = dir.resolve("out.pcapng");
        GulpProcess.Result result = GulpProcess.run(mixedLinkTypes(), output, "-i", "-", "--format", "pcapng");
        assertEquals(0, result.status(), result.stderr());
        List<PcapngFiles.Block> idbs = PcapngFiles.ofType(PcapngFiles.read(output), PcapngFiles.IDB);
        assertEquals(2, idbs.size());
        assertEquals(1, idbs.get(0).intAt(0) & 0xFFFF);
        assertEquals(101, idbs.get(1).intAt(0) & 0xFFFF);
        String encapsulations = Tools.check("tshark", "-r", output.toString(), "-T", "fields", "-e", "frame.interface_id",
                "-e", "frame.encap_type");
        assertEquals(2, encapsulations.strip().split("\n").length, encapsulations);
        assertTrue(Tools.check("capinfos", output.toString()).contains("Number of interfaces in file: 2"));
    }

    @Test
    void inputInterfacesOfDifferentLinkTypesAreRefusedForPcapInOneLineWithNothingWritten() throws Exception {
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(mixedLinkTypes(), output, "-i", "-", "--format", "pcap");
        assertEquals(3, result.status(), result.stderr());
        assertEquals(1, result.stderr().strip().lines().count(), result.stderr());
        assertTrue(result.stderr().startsWith("gulp: stdin: pcapng interface with link type"), result.stderr());
        assertTrue(result.stderr().contains("--format pcapng"), result.stderr());
        assertEquals(0, Files.size(output));
    }

    @Test
    void decapsulatedMirrorTrafficIsEthernetInPcapng() throws Exception {
        Path input = PcapFiles.ZEEK.resolve("erspanII.pcap");
        Path pcap = dir.resolve("out.pcap");
        Path pcapng = dir.resolve("out.pcapng");
        assertEquals(0, GulpProcess.run(input, pcap, "-i", "-", "-d").status());
        GulpProcess.Result result = GulpProcess.run(input, pcapng, "-i", "-", "-d", "--format", "pcapng");
        assertEquals(0, result.status(), result.stderr());
        List<PcapngFiles.Block> idbs = PcapngFiles.ofType(PcapngFiles.read(pcapng), PcapngFiles.IDB);
        assertTrue(idbs.stream().allMatch(idb -> (idb.intAt(0) & 0xFFFF) == 1), "decapsulated frames are Ethernet");
        assertTrue(idbs.stream().anyMatch(idb -> "erspan2 2.2.2.2 session 100".equals(idb.string(2))),
                "the mirror session is an interface");
        assertEquals(Tools.check("tcpdump", "-nn", "-tt", "-r", pcap.toString()),
                Tools.check("tcpdump", "-nn", "-tt", "-r", pcapng.toString()));
    }

    @Test
    void erspanIiiDirectionBecomesEachDecapsulatedPacketsInboundOrOutboundFlag() throws Exception {
        for (String capture : new String[] {"erspanIII.pcap", "gre-erspan3-dot1q.pcap"}) {
            Path input = PcapFiles.ZEEK.resolve(capture);
            Path pcapng = dir.resolve(capture + ".pcapng");
            GulpProcess.Result result = GulpProcess.run(input, pcapng, "-i", "-", "-d", "--format", "pcapng");
            assertEquals(0, result.status(), result.stderr());
            // The mirror's D bit (Wireshark's erspan.direction: 0 ingress, 1 egress) of each input packet ...
            List<String> mirrored = Tools.check("tshark", "-r", input.toString(), "-T", "fields", "-e", "erspan.direction")
                    .lines().toList();
            // ... is the direction of the decapsulated packet: 1 inbound, 2 outbound.
            List<String> written = Tools.check("tshark", "-r", pcapng.toString(), "-T", "fields",
                    "-e", "frame.packet_flags_direction").lines().map(d -> Integer.decode(d).toString()).toList();
            assertEquals(List.of("0", "1"), mirrored.stream().sorted().toList(), capture + ": both directions in the input");
            assertEquals(mirrored.stream().map(d -> d.equals("1") ? "2" : "1").toList(), written, capture);
        }
        // Type II carries no direction: no epb_flags at all.
        Path typeTwo = dir.resolve("erspanII.pcapng");
        assertEquals(0, GulpProcess.run(PcapFiles.ZEEK.resolve("erspanII.pcap"), typeTwo, "-i", "-", "-d",
                "--format", "pcapng").status());
        assertTrue(Tools.check("tshark", "-r", typeTwo.toString(), "-T", "fields", "-e", "frame.packet_flags")
                .lines().allMatch(String::isEmpty));
    }

    private static gulp.testing.PcapFiles.Frame mirrored(int source, int session, int sequence) {
        byte[] outer = gulp.testing.Frames.ethernet(0x0800, gulp.testing.Frames.ipv4(0, 1, 0, 64, 47,
                new byte[] {(byte) 192, 0, 2, (byte) source}, new byte[] {(byte) 198, 51, 100, 1}, 0,
                gulp.testing.Frames.erspanII(session, sequence, gulp.testing.Frames.innerFrame(20))));
        return new gulp.testing.PcapFiles.Frame(1_700_000_000_000_000_000L + sequence * 1000L + source, outer.length, outer);
    }

    @Test
    void eachMirrorSessionIsAnInterfaceWhoseStatisticsCarryItsUpstreamLoss() throws Exception {
        List<gulp.testing.PcapFiles.Frame> frames = new java.util.ArrayList<>();
        for (int sequence : new int[] {1, 2, 3, 5, 6}) { // 4 is missing
            frames.add(mirrored(1, 7, sequence));
        }
        for (int sequence : new int[] {10, 11, 14}) { // 12 and 13 are missing
            frames.add(mirrored(2, 9, sequence));
        }
        Path input = dir.resolve("mirror.pcap");
        gulp.testing.PcapFiles.writeFrames(input, frames);
        Path output = dir.resolve("sessions.pcapng");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-", "-d", "--format", "pcapng");
        assertEquals(0, result.status(), result.stderr());
        List<PcapngFiles.Block> blocks = PcapngFiles.read(output);
        List<PcapngFiles.Block> idbs = PcapngFiles.ofType(blocks, PcapngFiles.IDB);
        List<PcapngFiles.Block> isbs = PcapngFiles.ofType(blocks, PcapngFiles.ISB);
        assertEquals(idbs.size(), isbs.size());
        java.util.Map<String, Long> lossByName = new java.util.HashMap<>();
        java.util.Map<String, Long> packetsByName = new java.util.HashMap<>();
        for (PcapngFiles.Block isb : isbs) {
            String name = idbs.get(isb.intAt(0)).string(2);
            lossByName.put(name, isb.count(ISB_IFDROP));
            packetsByName.put(name, isb.count(ISB_USRDELIV));
        }
        assertEquals(1L, lossByName.get("erspan2 192.0.2.1 session 7"), lossByName.toString());
        assertEquals(2L, lossByName.get("erspan2 192.0.2.2 session 9"), lossByName.toString());
        assertEquals(5L, packetsByName.get("erspan2 192.0.2.1 session 7"));
        assertEquals(3L, packetsByName.get("erspan2 192.0.2.2 session 9"));
        String names = Tools.check("tshark", "-r", output.toString(), "-T", "fields", "-e", "frame.interface_name");
        assertEquals(5, names.lines().filter("erspan2 192.0.2.1 session 7"::equals).count(), names);
        assertEquals(3, names.lines().filter("erspan2 192.0.2.2 session 9"::equals).count(), names);
    }

    @Test
    void aMirrorSessionBehindALegacyQinqTagIsNamedForItsOuterSource() throws Exception {
        // The outer frame carries one 0x9100 tag (the pre-802.1ad QinQ TPID): the session's source
        // address is read after it, where the decapsulator found the outer IP header.
        List<gulp.testing.PcapFiles.Frame> frames = new java.util.ArrayList<>();
        for (int sequence = 1; sequence <= 3; sequence++) {
            byte[] tagged = gulp.testing.Frames.ethernet(0x0800, gulp.testing.Frames.ipv4(0, 1, 0, 64, 47,
                    new byte[] {(byte) 192, 0, 2, 3}, new byte[] {(byte) 198, 51, 100, 1}, 0,
                    gulp.testing.Frames.erspanII(11, sequence, gulp.testing.Frames.innerFrame(20))), 5);
            tagged[gulp.decap.EthernetHeader.ETHERTYPE_OFFSET] = (byte) 0x91; // 0x8100 becomes 0x9100
            tagged[gulp.decap.EthernetHeader.ETHERTYPE_OFFSET + 1] = 0x00;
            frames.add(new gulp.testing.PcapFiles.Frame(1_700_000_000_000_000_000L + sequence * 1000L, tagged.length, tagged));
        }
        Path input = dir.resolve("qinq-mirror.pcap");
        gulp.testing.PcapFiles.writeFrames(input, frames);
        Path output = dir.resolve("qinq-sessions.pcapng");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-", "-d", "--format", "pcapng");
        assertEquals(0, result.status(), result.stderr());
        String names = Tools.check("tshark", "-r", output.toString(), "-T", "fields", "-e", "frame.interface_name");
        assertEquals(List.of("erspan2 192.0.2.3 session 11", "erspan2 192.0.2.3 session 11", "erspan2 192.0.2.3 session 11"),
                names.lines().toList(), names);
    }

    @Test
    void aPcapngFileLeftByAKilledRunIsCutBackToItsLastBlockAndStillRead() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        ProcessBuilder builder = GulpProcess.builder("-i", "-", "--format", "pcapng", "-o", out.toString(), "-q");
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process gulp = builder.start();
        try (OutputStream in = gulp.getOutputStream()) {
            in.write(PcapFiles.syntheticHeader());
            for (int i = 0; i < 30; i++) {
                in.write(PcapFiles.syntheticRecord(i, PcapFiles.syntheticSize(i), 1_700_000_000_000_000L + i));
            }
            in.flush();
            Path part = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) { // the writer flushes within 200 ms
                part = PcapFiles.captureParts(out).stream().findFirst().orElse(null);
                if (part != null && PcapngFiles.ofType(safeRead(part), PcapngFiles.EPB).size() == 30) {
                    break;
                }
                Thread.sleep(50);
            }
            gulp.destroyForcibly(); // SIGKILL: no statistics at the end
            gulp.waitFor(10, TimeUnit.SECONDS);
            assertTrue(part != null, "no .part file");
            // A block the kill cut in half.
            Files.write(part, java.util.Arrays.copyOf(PcapngFiles.enhancedPacket(0, 1, new byte[100]), 50),
                    StandardOpenOption.APPEND);
        } catch (java.io.IOException pipeClosedByKill) {
            // gulp is gone; its file is what matters
        }
        Path next = PcapFiles.writeSynthetic(dir.resolve("next.pcap"), 1, 1, 1_700_000_100L);
        GulpProcess.Result second = GulpProcess.run(next, null, "-i", "-", "--format", "pcapng", "-o", out.toString());
        assertEquals(0, second.status(), second.stderr());
        assertTrue(second.stderr().contains("recovered"), second.stderr());
        List<Path> files = PcapFiles.outputFiles(out);
        assertEquals(2, files.size(), files.toString());
        Path recovered = files.get(0);
        List<PcapngFiles.Block> blocks = PcapngFiles.read(recovered); // whole blocks only
        assertEquals(30, PcapngFiles.ofType(blocks, PcapngFiles.EPB).size());
        assertFalse(blocks.stream().anyMatch(b -> b.type() == PcapngFiles.ISB), "killed: no statistics");
        assertTrue(Tools.check("capinfos", "-M", "-c", recovered.toString()).contains("Number of packets:   30"));
        Tools.Output dump = Tools.run("tcpdump", "-nn", "-r", recovered.toString());
        assertEquals(0, dump.status(), dump.stderr());
        assertFalse(dump.stderr().contains("truncated"), dump.stderr());
    }

    private static List<PcapngFiles.Block> safeRead(Path file) {
        try {
            return PcapngFiles.read(file);
        } catch (Exception e) {
            return List.of(); // still being written
        }
    }
}
