package gulp.capture;

import gulp.testing.Concurrently;
import gulp.testing.GulpProcess;
import gulp.testing.OddCaptures;
import gulp.testing.PcapFiles;
import gulp.testing.TempTrees;
import gulp.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture reader against libpcap, on every real capture kept in the repository (Zeek's traces:
 * many link types, pcapng, tunnels, damaged ones) and on generated captures with every odd header
 * field and record ({@link OddCaptures}). The oracle is {@code tcpdump -r FILE -w OUT}: gulp's
 * output has the same link-type field and the same records (gulp keeps records longer than the
 * file's snap length whole, where libpcap cuts them; a record's original length below its captured
 * length is written raised to it); where tcpdump stops at damage gulp keeps at least as much.
 * {@code -f} keeps what {@code tcpdump -r FILE EXPR} keeps, on every link type tcpdump can filter.
 * Files of one link type go through one gulp run ({@code --read} repeated) to keep the suite fast;
 * one file per link type, every generated one and every one tcpdump finds damaged also go alone,
 * through {@code --read} and {@code -i -}. The cases are independent (files and processes of their
 * own) and run a few at once: most of their time is spent starting gulp's JVM.
 */
class CaptureCorpusAgreesWithTcpdumpTest {
    private static final Path CAPTURES = Path.of("src", "test", "resources", "captures");
    private static final List<String> EXPRESSIONS = List.of("ip", "ip6", "tcp", "udp port 53", "vlan");
    /** Files of one kind that the filter test compares (spread over the kind's files). */
    private static final int FILTERED_PER_KIND = 2;
    /**
     * Cases run at the same time within a test (each is a few gulp and tcpdump processes); the
     * generated captures' cases run side by side too (@Execution(CONCURRENT)).
     */
    private static final int CASES_AT_ONCE = 3;
    private static final Map<Path, Oracle> UNFILTERED = new java.util.concurrent.ConcurrentHashMap<>();
    private static Path generated;
    private static Path work;

    @BeforeAll
    static void writeGeneratedCaptures() throws IOException {
        generated = Files.createTempDirectory("gulp-odd-captures");
        work = Files.createTempDirectory("gulp-corpus");
        for (OddCaptures.Named capture : OddCaptures.all()) {
            Files.write(generated.resolve(capture.name()), capture.bytes());
        }
    }

    @AfterAll
    static void removeThem() throws IOException {
        for (Path dir : List.of(generated, work)) {
            TempTrees.delete(dir);
        }
    }

    static List<Path> realCaptures() throws IOException {
        try (Stream<Path> files = Files.walk(CAPTURES)) {
            return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }

    static Stream<Path> generatedCaptures() {
        return OddCaptures.all().stream().map(c -> Path.of(c.name()));
    }

    /** What tcpdump made of a file: its exit status and the output it wrote (null when none). */
    record Oracle(int status, String stderr, PcapFiles.Capture output) {
        boolean clean() {
            return status == 0 && output != null;
        }
    }

    /** {@link #tcpdump(Path)} of each file, a few at once (the results are kept). */
    static void readAllWithTcpdump(List<Path> files) throws Exception {
        Concurrently.run(CASES_AT_ONCE, files.stream().<Concurrently.Case>map(f -> () -> tcpdump(f)).toList());
    }

    /** tcpdump's reading of {@code file} without a filter (once per file). */
    static Oracle tcpdump(Path file) throws IOException {
        Oracle known = UNFILTERED.get(file);
        if (known == null) {
            known = tcpdump(file, null);
            UNFILTERED.put(file, known);
        }
        return known;
    }

    static Oracle tcpdump(Path file, String expression) throws IOException {
        Path out = Files.createTempFile(work, "tcpdump", ".pcap");
        Files.delete(out);
        List<String> command = new ArrayList<>(List.of("tcpdump", "-r", file.toString(), "-w", out.toString()));
        if (expression != null) {
            command.add(expression);
        }
        Tools.Output o = Tools.run(command.toArray(String[]::new));
        PcapFiles.Capture capture = Files.exists(out) && Files.size(out) >= PcapFiles.HEADER_LENGTH ? PcapFiles.read(out) : null;
        Files.deleteIfExists(out);
        return new Oracle(o.status(), o.stderr(), capture);
    }

    /** gulp's exit status, stderr and output (null when it wrote none). */
    record Run(GulpProcess.Result result, PcapFiles.Capture output) {
    }

    static Run gulp(Path stdin, String... args) throws Exception {
        Path out = Files.createTempFile(work, "gulp", ".pcap");
        GulpProcess.Result result = GulpProcess.run(stdin, out, args);
        PcapFiles.Capture capture = Files.size(out) >= PcapFiles.HEADER_LENGTH ? PcapFiles.read(out) : null;
        Files.delete(out);
        assertFalse(result.stderr().contains("Exception") || result.stderr().contains("\tat "), result.stderr());
        return new Run(result, capture);
    }

    // ---------------------------------------------------------------- reading

    @Execution(ExecutionMode.CONCURRENT)
    @ParameterizedTest
    @MethodSource("generatedCaptures")
    void everyGeneratedCaptureReadsAsTcpdumpReadsIt(Path name) throws Exception {
        Path file = generated.resolve(name);
        Oracle oracle = tcpdump(file);
        assertAgrees(file, oracle, gulp(null, "--read", file.toString()));
        assertAgrees(file, oracle, gulp(file, "-i", "-"));
    }

    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void everyRealCaptureReadsAsTcpdumpReadsIt() throws Exception {
        Map<Integer, List<Path>> cleanByLinkType = new LinkedHashMap<>();
        Map<Path, Oracle> oracles = new LinkedHashMap<>();
        List<Concurrently.Case> damaged = new ArrayList<>();
        readAllWithTcpdump(realCaptures());
        for (Path file : realCaptures()) {
            Oracle oracle = tcpdump(file);
            oracles.put(file, oracle);
            if (oracle.clean()) {
                cleanByLinkType.computeIfAbsent(oracle.output().linkType(), k -> new ArrayList<>()).add(file);
            } else {
                damaged.add(() -> {
                    assertAgrees(file, oracle, gulp(null, "--read", file.toString()));
                    assertAgrees(file, oracle, gulp(file, "-i", "-"));
                });
            }
        }
        assertTrue(cleanByLinkType.size() >= 12, "link types in the corpus: " + cleanByLinkType.keySet());
        List<Concurrently.Case> cases = new ArrayList<>(damaged);
        for (List<Path> files : cleanByLinkType.values()) {
            cases.add(() -> assertOneRunReadsThemAll(files, oracles));
        }
        Concurrently.run(CASES_AT_ONCE, cases);
    }

    /** Files of one link type read in one gulp run, as tcpdump read each; the first also through {@code -i -}. */
    private static void assertOneRunReadsThemAll(List<Path> files, Map<Path, Oracle> oracles) throws Exception {
        Run all = gulp(null, readArguments(files));
        assertEquals(0, all.result().status(), files + ": " + all.result().stderr());
        int at = 0;
        for (Path file : files) {
            List<PcapFiles.Record> expected = oracles.get(file).output().records();
            assertTrue(at + expected.size() <= all.output().records().size(), file + ": fewer records than tcpdump");
            assertRecordsAgree(file, expected, all.output().records().subList(at, at + expected.size()));
            at += expected.size();
        }
        assertEquals(at, all.output().records().size(), files + ": more records than tcpdump read");
        assertEquals(oracles.get(files.get(0)).output().linkType(), all.output().linkType());
        Path first = files.get(0);
        assertAgrees(first, oracles.get(first), gulp(first, "-i", "-"));
    }

    private static String[] readArguments(List<Path> files) {
        List<String> args = new ArrayList<>();
        for (Path f : files) {
            args.add("--read");
            args.add(f.toString());
        }
        return args.toArray(String[]::new);
    }

    /** gulp read {@code file} as libpcap did, and at least as far. */
    static void assertAgrees(Path file, Oracle oracle, Run run) {
        int status = run.result().status();
        String what = file + " (tcpdump " + oracle.status() + ": " + oracle.stderr().strip() + "; gulp " + status + ": "
                + run.result().errorLine() + ")";
        assertTrue(status == 0 || status == 3, what);
        if (oracle.clean()) {
            assertEquals(0, status, what);
        }
        if (oracle.output() == null) {
            return;
        }
        if (status == 3 && !oracle.clean() && run.result().errorLine().contains("differs from the first interface's")) {
            return; // interfaces of several link types: classic pcap output refuses them before writing (pcapng holds them)
        }
        assertTrue(run.output() != null, what + ": no output");
        assertEquals(oracle.output().linkType(), run.output().linkType(), what + ": link-type field");
        List<PcapFiles.Record> expected = oracle.output().records();
        List<PcapFiles.Record> actual = run.output().records();
        assertTrue(actual.size() >= expected.size(), what + ": " + actual.size() + " records, tcpdump " + expected.size());
        if (oracle.clean()) {
            assertEquals(expected.size(), actual.size(), what);
        }
        assertRecordsAgree(file, expected, actual.subList(0, expected.size()));
    }

    /**
     * Same timestamps and bytes; tcpdump's data may be a prefix (libpcap cuts a record to the
     * file's snap length, gulp keeps it), and gulp's original length is never below its captured length.
     */
    static void assertRecordsAgree(Path file, List<PcapFiles.Record> expected, List<PcapFiles.Record> actual) {
        for (int i = 0; i < expected.size(); i++) {
            PcapFiles.Record e = expected.get(i);
            PcapFiles.Record a = actual.get(i);
            String where = file + " record " + (i + 1);
            assertEquals(e.seconds(), a.seconds(), where);
            assertEquals(e.fraction(), a.fraction(), where);
            assertEquals(Math.max(e.wirelen(), a.data().length), a.wirelen(), where + ": original length");
            assertTrue(a.data().length >= e.data().length, where + ": captured length");
            byte[] prefix = java.util.Arrays.copyOf(a.data(), e.data().length);
            assertArrayEquals(e.data(), prefix, where + ": bytes");
        }
    }

    // ---------------------------------------------------------------- filtering

    /**
     * {@code -f EXPR} keeps the records {@code tcpdump -r FILE EXPR} keeps, on every link type, byte
     * order and format of the corpus (files of one kind read in one run); where tcpdump cannot
     * compile the expression for the link type, gulp refuses it too (status 2). Files with records
     * longer than their snap length are left out: tcpdump filters the cut record, gulp the whole one.
     */
    @Execution(ExecutionMode.CONCURRENT)
    @Test
    void filtersKeepWhatTcpdumpKeepsOnEveryLinkType() throws Exception {
        Map<String, List<Path>> byKind = new LinkedHashMap<>();
        List<Path> candidates = new ArrayList<>(realCaptures());
        for (OddCaptures.Named n : OddCaptures.wellFormed()) {
            candidates.add(generated.resolve(n.name()));
        }
        readAllWithTcpdump(candidates);
        for (Path file : candidates) {
            Oracle oracle = tcpdump(file);
            if (!oracle.clean() || longerThanSnaplen(oracle)) {
                continue;
            }
            byKind.computeIfAbsent(oracle.output().linkType() + "/" + byteOrder(file), k -> new ArrayList<>()).add(file);
        }
        AtomicInteger compared = new AtomicInteger();
        List<Concurrently.Case> cases = new ArrayList<>();
        for (Map.Entry<String, List<Path>> kind : byKind.entrySet()) {
            List<Path> all = kind.getValue();
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < all.size(); i += Math.max(1, all.size() / FILTERED_PER_KIND)) {
                files.add(all.get(i));
            }
            for (String expression : EXPRESSIONS) {
                cases.add(() -> {
                    if (filterAgrees(kind.getKey(), files, expression)) {
                        compared.incrementAndGet();
                    }
                });
            }
        }
        Concurrently.run(CASES_AT_ONCE, cases);
        assertTrue(byKind.size() >= 14, "kinds: " + byKind.keySet());
        assertTrue(compared.get() >= 40, "compared " + compared);
    }

    /**
     * {@code -f expression} on {@code files} (of one kind, in one run) keeps what tcpdump keeps of each;
     * false when tcpdump cannot compile it for the link type (and gulp refused it too).
     */
    private static boolean filterAgrees(String kind, List<Path> files, String expression) throws Exception {
        List<Oracle> oracles = new ArrayList<>();
        for (Path f : files) {
            oracles.add(tcpdump(f, expression));
        }
        List<String> args = new ArrayList<>(List.of(readArguments(files)));
        args.addAll(List.of("-f", expression));
        Run run = gulp(null, args.toArray(String[]::new));
        String what = kind + " '" + expression + "' " + files.get(0) + "...: tcpdump " + oracles.get(0).stderr().strip()
                + "; gulp " + run.result().errorLine();
        if (oracles.get(0).output() == null) { // tcpdump cannot compile it for this link type
            assertEquals(2, run.result().status(), what);
            return false;
        }
        assertEquals(0, run.result().status(), what);
        int at = 0;
        for (int i = 0; i < files.size(); i++) {
            List<PcapFiles.Record> expected = oracles.get(i).output().records();
            assertTrue(at + expected.size() <= run.output().records().size(), what + " " + files.get(i));
            assertRecordsAgree(files.get(i), expected, run.output().records().subList(at, at + expected.size()));
            at += expected.size();
        }
        assertEquals(at, run.output().records().size(), what);
        return true;
    }

    /** Whether tcpdump may have cut a record to the snap length (it writes the snap length it used). */
    private static boolean longerThanSnaplen(Oracle oracle) {
        int snaplen = oracle.output().snaplen();
        return oracle.output().records().stream().anyMatch(r -> r.data().length >= snaplen);
    }

    /** "le" or "be": the byte order of a pcap header or of the first pcapng section. */
    private static String byteOrder(Path file) throws IOException {
        byte[] head = new byte[12];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0x0A0D0D0A) {
            return b.getInt(8) == 0x1A2B3C4D ? "le" : "be";
        }
        return magic == 0xa1b2c3d4 || magic == 0xa1b23c4d || magic == 0xa1b2cd34 ? "le" : "be";
    }
}
