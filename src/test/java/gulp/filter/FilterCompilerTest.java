package gulp.filter;

import gulp.linux.LibPcap;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

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
        BpfProgram compiled = FilterCompiler.compile(expression, FilterCompiler.LINKTYPE_ETHERNET, 262144);
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

    @Test
    void badFilterGivesLibpcapsMessage() throws Exception {
        for (String bad : List.of("foo bar", "tcp port 99999", "ip[")) {
            Tools.Output d = Tools.run("tcpdump", "-y", "EN10MB", "-d", bad);
            String tcpdumpMessage = d.stderr().lines().filter(l -> l.startsWith("tcpdump: ")).findFirst().orElseThrow()
                    .substring("tcpdump: ".length());
            FilterException e = assertThrows(FilterException.class, () -> FilterCompiler.compile(bad));
            assertEquals("bad filter '" + bad + "': " + tcpdumpMessage, e.getMessage());
        }
    }

    @Test
    void missingLibpcapGivesInstallHint() {
        FilterException e = assertThrows(FilterException.class,
                () -> FilterCompiler.load(List.of("libpcap-does-not-exist.so.9")));
        assertEquals("libpcap is not installed; it is needed for -f. Install it: apt-get install libpcap0.8 "
                + "(Debian/Ubuntu) or dnf install libpcap (Fedora/RHEL)", e.getMessage());
    }

    @Test
    void libpcapLoadsFromTheDebianSoname() throws Exception {
        LibPcap pcap = FilterCompiler.load(LibPcap.DEFAULT_LIBRARY_NAMES);
        assertEquals("libpcap.so.0.8", pcap.libraryName());
        assertTrue(FilterCompiler.libpcapVersion().startsWith("libpcap version "));
    }

    @Test
    void snaplenBecomesTheAcceptVerdict() throws Exception {
        BpfProgram p = FilterCompiler.compile("ip", FilterCompiler.LINKTYPE_ETHERNET, 1514);
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
