package gulp.filter;

import gulp.format.LinkType;
import gulp.linux.LibPcap;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FilterCompilerTest {

    static final List<String> EXPRESSIONS = FilterCorpus.EXPRESSIONS;

    @ParameterizedTest
    @FieldSource("EXPRESSIONS")
    void compiledProgramEqualsTcpdumpDd(String expression) throws Exception {
        Tools.Output dd = Tools.run("tcpdump", "-y", "EN10MB", "-dd", expression);
        assertEquals(0, dd.status(), dd.stderr());
        BpfProgram expected = BpfProgram.parse(dd.stdout());
        BpfProgram compiled = FilterCompiler.compile(expression, LinkType.ETHERNET, 262144);
        assertEquals(expected.toDdString(), compiled.toDdString());
        assertEquals(expected, compiled);
    }

    @ParameterizedTest
    @FieldSource("EXPRESSIONS")
    void toStringEqualsTcpdumpD(String expression) throws Exception {
        Tools.Output d = Tools.run("tcpdump", "-y", "EN10MB", "-d", expression);
        assertEquals(0, d.status(), d.stderr());
        assertEquals(d.stdout().lines().map(String::stripTrailing).toList(),
                FilterCompiler.compile(expression).toString().lines().toList());
    }

    /**
     * For capture files the program is the one {@code tcpdump -r FILE -dd EXPR} prints: libpcap
     * maps the file's LINKTYPE_ value to its DLT_ (raw IP 101 is DLT 12 on Linux) and compiles
     * savefile code (BSD loopback: every BSD AF_INET6 value, in the file's byte order).
     */
    @ParameterizedTest
    @CsvSource({"0,LITTLE_ENDIAN", "0,BIG_ENDIAN", "1,LITTLE_ENDIAN", "1,BIG_ENDIAN", "101,LITTLE_ENDIAN",
            "113,LITTLE_ENDIAN", "276,LITTLE_ENDIAN", "228,LITTLE_ENDIAN", "229,LITTLE_ENDIAN", "105,LITTLE_ENDIAN",
            "127,LITTLE_ENDIAN", "9,LITTLE_ENDIAN", "10,LITTLE_ENDIAN", "805306369,LITTLE_ENDIAN", "67108865,BIG_ENDIAN"})
    void savefileProgramEqualsTcpdumpReadingTheFile(int linkTypeField, String order, @TempDir Path dir) throws Exception {
        byte[] header = ByteBuffer.allocate(24).order("BIG_ENDIAN".equals(order) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                .putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                .putInt(linkTypeField).array();
        Path file = dir.resolve("header.pcap");
        Files.write(file, header);
        for (String expression : List.of("ip", "ip6", "tcp port 80", "udp port 53 or icmp6", "greater 100")) {
            Tools.Output dd = Tools.run("tcpdump", "-r", file.toString(), "-dd", expression);
            if (dd.status() != 0) { // libpcap cannot filter this on the link type: neither can gulp
                String message = dd.stderr().lines().filter(l -> l.startsWith("tcpdump: ")).findFirst().orElseThrow();
                FilterException e = assertThrows(FilterException.class, () -> FilterCompiler.compileForSavefile(expression, header, 262144));
                assertTrue(message.endsWith(e.getMessage().substring(e.getMessage().indexOf("': ") + 3)), message + " / " + e.getMessage());
                continue;
            }
            assertEquals(BpfProgram.parse(dd.stdout()), FilterCompiler.compileForSavefile(expression, header, 262144),
                    linkTypeField + " " + order + " '" + expression + "'");
        }
    }

    @Test
    void bsdLoopbackIpv6OfAFileChecksEveryBsdValueWhereALiveCompileChecksOnlyLinuxs() throws Exception {
        byte[] header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(0).array();
        String file = FilterCompiler.compileForSavefile("ip6", header, 262144).toString();
        for (int family : new int[] {24, 28, 30}) {
            assertTrue(file.contains("#0x" + Integer.toHexString(Integer.reverseBytes(family))), family + " in\n" + file);
        }
        assertTrue(FilterCompiler.compile("ip6", 0, 262144).toString().contains("#0xa000000"), "AF_INET6 10 of Linux");
    }

    @Test
    void badFilterGivesLibpcapsMessage() throws Exception {
        for (String bad : List.of("foo bar", "tcp port 99999", "ip[")) {
            Tools.Output d = Tools.run("tcpdump", "-y", "EN10MB", "-d", bad);
            String tcpdumpMessage = d.stderr().lines().filter(l -> l.startsWith("tcpdump: ")).findFirst().orElseThrow()
                    .substring("tcpdump: ".length());
            FilterException e = assertThrows(FilterException.class, () -> FilterCompiler.compile(bad));
            assertEquals("bad filter '" + bad + "': " + tcpdumpMessage, e.getMessage());
            assertFalse(e.isLibpcapMissing());
        }
    }

    @Test
    void missingLibpcapGivesInstallHint() {
        FilterException e = assertThrows(FilterException.class,
                () -> FilterCompiler.load(List.of("libpcap-does-not-exist.so.9")));
        assertEquals("libpcap is not installed; it is needed for -f. Install it: apt-get install libpcap0.8 "
                + "(Debian/Ubuntu) or dnf install libpcap (Fedora/RHEL)", e.getMessage());
        assertTrue(e.isLibpcapMissing());
    }

    @Test
    void libpcapLoadsFromTheDebianSoname() throws Exception {
        LibPcap pcap = FilterCompiler.load(LibPcap.DEFAULT_LIBRARY_NAMES);
        assertEquals("libpcap.so.0.8", pcap.libraryName());
        assertTrue(FilterCompiler.libpcapVersion().startsWith("libpcap version "));
    }

    @Test
    void snaplenBecomesTheAcceptVerdict() throws Exception {
        BpfProgram p = FilterCompiler.compile("ip", LinkType.ETHERNET, 1514);
        assertTrue(p.toString().contains("ret      #1514"), p.toString());
    }

    @Test
    void compilesConcurrentlyWithoutCorruption() throws Exception {
        BpfProgram expected = FilterCompiler.compile("tcp port 80");
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    try {
                        if (!FilterCompiler.compile("tcp port 80").equals(expected)) wrong.incrementAndGet();
                    } catch (FilterException e) {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(0, wrong.get());
    }
}
