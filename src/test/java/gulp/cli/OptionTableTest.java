package gulp.cli;

import gulp.run.Options;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One option table: --help, gulp(1) and the bash completion list the same options; the parser keeps getopt syntax. */
class OptionTableTest {
    @TempDir
    Path dir;

    @Test
    void everyOptionOfTheTableIsInTheHelpTheManPageAndTheCompletion() {
        String help = Usage.TEXT;
        String man = ManPage.text(OptionTable.ALL);
        String completion = BashCompletion.text(OptionTable.ALL);
        Matcher words = Pattern.compile("_gulp_options=\"([^\"]*)\"").matcher(completion);
        assertTrue(words.find(), completion);
        Set<String> completed = Set.of(words.group(1).split(" "));
        for (OptionSpec o : OptionTable.ALL) {
            assertTrue(help.contains("  " + Usage.synopsis(o) + " ") || help.contains("  " + Usage.synopsis(o) + "\n"),
                    () -> Usage.synopsis(o) + " not in --help");
            for (String name : o.names()) {
                assertTrue(man.contains("\\fB" + ManPage.escape(name) + "\\fR"), () -> name + " not in gulp(1)");
                assertTrue(completed.contains(name), () -> name + " not completed");
            }
        }
        // and nothing else: every option the man page and help name is in the table
        Set<String> names = new java.util.HashSet<>();
        OptionTable.ALL.forEach(o -> names.addAll(o.names()));
        assertEquals(names, completed);
        Matcher helpNames = Pattern.compile("(?m)^  (-[-a-zA-Z]+)").matcher(help);
        while (helpNames.find()) {
            assertTrue(names.contains(helpNames.group(1)), helpNames.group(1));
        }
    }

    @Test
    void shortOptionsTakeAttachedArgumentsAndBundle() throws UsageException {
        Options o = OptionParser.parse(new String[] {"-r100", "-s0", "-qdr", "200", "--count=5", "--duration", "1.5", "-i", "-"});
        assertEquals(200, o.ringMiB);
        assertEquals(262144, o.snaplen);
        assertTrue(o.quiet);
        assertTrue(o.decapsulate);
        assertEquals(5, o.countLimit);
        assertEquals(1.5, o.durationSeconds);
        assertEquals("-", o.interfaceName);
        assertEquals(List.of("a.pcap"), OptionParser.parse(new String[] {"--read=a.pcap"}).readFiles);
    }

    @Test
    void namingMistakesAreOneLineEach() {
        assertEquals("--count needs an argument",
                assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"--count"})).getMessage());
        assertEquals("-r needs an argument",
                assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"-qr"})).getMessage());
        assertEquals("--nano takes no argument",
                assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"--nano=1"})).getMessage());
        assertEquals("unexpected argument 'x.pcap' (input files go after --read)",
                assertThrows(UsageException.class, () -> OptionParser.parse(new String[] {"x.pcap"})).getMessage());
    }

    @Test
    void theManPageRendersWithoutTroffWarnings() throws Exception {
        Path page = dir.resolve("gulp.1");
        Files.writeString(page, ManPage.text(OptionTable.ALL));
        Tools.Output out = Tools.run("groff", "-man", "-ww", "-z", page.toString());
        if (out.status() == Tools.NOT_STARTED) {
            return; // no groff: the package test renders the installed page with man
        }
        assertEquals(0, out.status(), out.stderr());
        assertEquals("", out.stderr());
        String text = Tools.check("man", "-l", page.toString());
        for (String section : List.of("OPTIONS", "SIGNALS", "EXIT STATUS", "FILES", "EXAMPLES")) {
            assertTrue(text.contains(section), section);
        }
        assertFalse(text.contains("@OPTIONS@"));
    }

    @Test
    void completionOffersOptionsInterfacesAndWords() throws Exception {
        Path script = dir.resolve("gulp.bash");
        Files.writeString(script, BashCompletion.text(OptionTable.ALL));
        assertEquals(List.of("--rotate-size", "--rotate-packets", "--rotate-seconds", "--rotate-by-packet-time"),
                complete(script, "--ro"));
        List<String> interfaces = complete(script, "-i", "");
        assertTrue(interfaces.contains("lo") && interfaces.contains("-"), interfaces.toString());
        assertEquals(List.of("file"), complete(script, "--fsync", "f"));
        assertEquals(List.of("inout"), complete(script, "--direction", "=", "ino"));
        assertEquals(List.of(), complete(script, "-r", ""), "a number has no completion");
    }

    @Test
    void theServiceDefaultsOfThePackageAreValidOptions() throws Exception {
        String line = Files.readAllLines(Path.of("packaging/default/gulp")).stream()
                .filter(l -> l.startsWith("GULP_OPTIONS=")).findFirst().orElseThrow();
        String value = line.substring("GULP_OPTIONS=".length()).replace("\"", "");
        List<String> args = new java.util.ArrayList<>(List.of("-i", "eth1", "-o", "/var/lib/gulp/eth1"));
        args.addAll(List.of(value.split(" +"))); // as systemd splits $GULP_OPTIONS
        Options o = OptionParser.parse(args.toArray(String[]::new));
        assertEquals(3600, o.rotateSeconds);
        assertEquals(0.10, o.minFreeFraction, 1e-9);
    }

    @Test
    void generateTakesManOrCompletionAndNothingElse() throws Exception {
        gulp.testing.GulpProcess.Result bad = gulp.testing.GulpProcess.run(null, null, "--generate", "html");
        assertEquals(Main.EXIT_USAGE, bad.status());
        assertEquals("gulp: --generate takes man or completion, not 'html'", bad.stderr().strip());
        Path man = dir.resolve("gulp.1");
        assertEquals(0, gulp.testing.GulpProcess.run(null, man, "--generate", "man").status());
        assertEquals(ManPage.text(OptionTable.ALL), Files.readString(man));
    }

    /** COMPREPLY of the completion function for the words after "gulp" (the last is being completed). */
    static List<String> complete(Path script, String... words) {
        StringBuilder array = new StringBuilder("gulp");
        for (String w : words) {
            array.append(" '").append(w).append("'");
        }
        String out = Tools.check("bash", "-c", "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD="
                + words.length + "; _gulp; printf '%s\\n' \"${COMPREPLY[@]}\"");
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
