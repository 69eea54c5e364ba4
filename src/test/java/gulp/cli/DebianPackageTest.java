package gulp.cli;

import gulp.testing.Frames;
import gulp.testing.GulpProcess;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/package builds a Debian package of the classes under test that runs without any Java
 * installed: installed with dpkg, it captures on a veth pair with an empty PATH, from its own
 * runtime; its man page renders, its completion completes, its unit passes systemd-analyze; removed,
 * it leaves nothing but the captured data. Root on a throwaway machine (it installs and purges
 * the package gulp).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageTest {
    private static final List<Path> INSTALLED = List.of(Path.of("/usr/bin/gulp"), Path.of("/usr/lib/gulp"),
            Path.of("/usr/share/man/man1/gulp.1.gz"), Path.of("/usr/share/bash-completion/completions/gulp"),
            Path.of("/lib/systemd/system/gulp@.service"), Path.of("/usr/share/doc/gulp"));
    private static final Path DATA = Path.of("/var/lib/gulp");

    private Path work;
    private Path noJava;   // an empty directory: the PATH of the runs
    private boolean dataExisted;

    @BeforeAll
    void buildAndInstall() throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root, ip and nft");
        assumeTrue(Tools.run("dpkg-deb", "--version").status() == 0, "needs dpkg-deb");
        Path jdk = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent();
        assumeTrue(Files.isExecutable(jdk.resolve("jpackage")), "needs a JDK with jpackage");
        work = Files.createTempDirectory("gulp-package");
        noJava = Files.createDirectory(work.resolve("empty-path"));
        dataExisted = Files.exists(DATA);

        // The jar of the classes this run compiled, packaged as bin/package packages any jar.
        Path jar = work.resolve("gulp.jar");
        Tools.check(jdk.resolve("jar").toString(), "--create", "--file", jar.toString(), "--main-class", "gulp.cli.Main",
                "-C", GulpProcess.classesDirectory().toString(), ".");
        ProcessBuilder build = new ProcessBuilder("bin/package").redirectErrorStream(true);
        build.environment().put("GULP_JAR", jar.toString());
        build.environment().put("JAVA_HOME", jdk.getParent().toString());
        Process p = build.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "bin/package failed: " + out);
        Path deb = Path.of(out.strip().lines().reduce((a, b) -> b).orElse(""));
        assertEquals("gulp_" + Main.VERSION + "_amd64.deb", deb.getFileName().toString(), out);
        dpkg("-i", deb.toString());
    }

    @Test
    @Order(1)
    void installedGulpRunsFromItsOwnRuntimeWithNoJavaOnThePath() {
        Tools.Output version = Tools.run("env", "-i", "PATH=" + noJava, "/usr/bin/gulp", "-v");
        assertEquals(0, version.status(), version.stderr());
        assertTrue(version.stderr().startsWith("gulp " + Main.VERSION + " (Java 25"), version.stderr());
        Tools.Output help = Tools.run("env", "-i", "PATH=" + noJava, "/usr/bin/gulp", "--help");
        assertEquals(Usage.TEXT, help.stdout(), "the installed --help is the table's");
        assertTrue(Tools.check("dpkg", "-s", "gulp").contains("Status: install ok installed"));
        assertTrue(Tools.check("getent", "passwd", "gulp").contains("/var/lib/gulp"), "the service user");
    }

    /**
     * jpackage's native launcher ran {@code rpm -qf}, {@code dpkg -S} and {@code dpkg -L} (twice) at
     * every start to find its own package: most of a second under load before the JVM started.
     */
    @Test
    @Order(1)
    void installedGulpStartsWithTheLaunchersFlagsWithoutAskingThePackageManager() throws Exception {
        Path spies = Files.createDirectories(work.resolve("spies"));
        Path asked = work.resolve("asked");
        for (String tool : List.of("dpkg", "dpkg-query", "rpm")) {
            Path spy = spies.resolve(tool);
            Files.writeString(spy, "#!/bin/sh\necho " + tool + " >> " + asked + "\nexit 1\n");
            spy.toFile().setExecutable(true);
        }
        Tools.Output version = Tools.run("env", "-i", "PATH=" + spies, "/usr/bin/gulp", "-v");
        assertEquals(0, version.status(), version.stderr());
        assertFalse(Files.exists(asked), () -> "the launcher ran " + read(asked));
        List<String> args = Files.readAllLines(Path.of("/usr/lib/gulp/lib/app/gulp.args"));
        assertEquals(GulpProcess.JVM_FLAGS, args.subList(0, GulpProcess.JVM_FLAGS.size()), "the flags of bin/lib/jvm-flags.sh");
        assertTrue(args.contains("-XX:AOTCache=/usr/lib/gulp/lib/app/gulp.aot"), args.toString());
    }

    @Test
    @Order(2)
    void installedGulpCapturesOnAVethPairAsAProcessNamedGulp() throws Exception {
        int count = 20;
        Path out = work.resolve("veth.pcap");
        Path err = work.resolve("veth.err");
        try (VethPair bed = VethPair.create()) {
            Process gulp = new ProcessBuilder("ip", "netns", "exec", bed.captureNamespace, "env", "-i", "PATH=" + noJava,
                    "/usr/bin/gulp", "-i", bed.captureInterface, "--count", Integer.toString(count))
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try {
                long deadline = System.currentTimeMillis() + 30_000;
                while (!Files.readString(err).contains("listening on") && gulp.isAlive() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(Files.readString(err).contains("listening on"), () -> read(err));
                // ip netns exec and env exec: the pid is gulp's own
                assertEquals("gulp", Files.readString(Path.of("/proc/" + gulp.pid() + "/comm")).strip());
                String maps = Files.readString(Path.of("/proc/" + gulp.pid() + "/maps"));
                assertFalse(maps.contains("/usr/lib/jvm"), "a JDK of the machine was used");
                assertTrue(maps.contains("/usr/lib/gulp/lib/runtime/lib/server/libjvm.so"), "its own runtime");
                assertTrue(maps.contains("/usr/lib/gulp/lib/app/gulp.aot"), "its AOT cache");
                NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count,
                        i -> Frames.numbered(i, 100, 9), 1_000_000, new AtomicLong()).get(30, TimeUnit.SECONDS);
                assertTrue(gulp.waitFor(30, TimeUnit.SECONDS), "gulp --count did not stop");
                assertEquals(0, gulp.exitValue(), read(err));
            } finally {
                gulp.destroyForcibly();
            }
        }
        assertEquals(count, PcapFiles.read(out).records().size(), read(err));
        Tools.Output dump = Tools.run("tcpdump", "-nr", out.toString());
        assertEquals(0, dump.status(), dump.stderr());
        String ready = read(err).replaceAll("(?s).*(ready [0-9.]+ s after launch).*", "$1");
        System.out.println("DebianPackageTest: installed gulp " + ready);
    }

    @Test
    @Order(3)
    void installedManPageRendersEveryOptionAndSection() {
        Tools.Output man = Tools.run("env", "LC_ALL=C", "MANWIDTH=100", "man", "-l", "/usr/share/man/man1/gulp.1.gz");
        assertEquals(0, man.status(), man.stderr());
        for (String section : List.of("NAME", "SYNOPSIS", "OPTIONS", "SIGNALS", "EXIT STATUS", "FILES", "EXAMPLES")) {
            assertTrue(man.stdout().contains("\n" + section + "\n"), section);
        }
        for (OptionSpec o : OptionTable.ALL) {
            for (String name : o.names()) {
                assertTrue(man.stdout().contains(name), name);
            }
        }
    }

    @Test
    @Order(4)
    void installedCompletionCompletesOptionsInterfacesAndDirectories() {
        Path script = Path.of("/usr/share/bash-completion/completions/gulp");
        assertEquals(List.of("--rotate-size", "--rotate-packets", "--rotate-seconds", "--rotate-by-packet-time"),
                OptionTableTest.complete(script, "--ro"));
        List<String> interfaces = OptionTableTest.complete(script, "-i", "l");
        assertTrue(interfaces.contains("lo"), interfaces.toString());
        assertTrue(OptionTableTest.complete(script, "-o", "/us").contains("/usr"));
        assertEquals(List.of("--nano", "--name", "--name-template"), OptionTableTest.complete(script, "--na"));
    }

    @Test
    @Order(5)
    void installedUnitPassesSystemdAnalyzeVerify() {
        Tools.Output verify = Tools.run("systemd-analyze", "verify", "/lib/systemd/system/gulp@.service");
        assumeTrue(verify.status() != Tools.NOT_STARTED, "no systemd-analyze");
        assertEquals(0, verify.status(), verify.stderr());
        assertEquals("", verify.stderr().strip());
    }

    @Test
    @Order(6)
    void removingThePackageLeavesOnlyTheData() throws Exception {
        Path kept = DATA.resolve("pkgtest").resolve("kept.pcap");
        Files.createDirectories(kept.getParent());
        Files.write(kept, new byte[] {1, 2, 3});
        dpkg("-r", "gulp");
        for (Path p : INSTALLED) {
            assertFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), p + " left after dpkg -r");
        }
        assertTrue(Files.exists(Path.of("/etc/default/gulp")), "a conffile stays until purge");
        dpkg("--purge", "gulp");
        assertFalse(Files.exists(Path.of("/etc/default/gulp")));
        assertFalse(Files.exists(Path.of("/etc/gulp")));
        assertTrue(Files.exists(kept), "captured data is kept");
        assertTrue(Tools.run("dpkg", "-s", "gulp").status() != 0);
    }

    @AfterAll
    void cleanUp() {
        if (work == null) {
            return;
        }
        if (Tools.run("dpkg", "-s", "gulp").status() == 0) {
            Tools.run("dpkg", "--purge", "gulp");
        }
        Tools.run("rm", "-rf", work.toString(), dataExisted ? DATA.resolve("pkgtest").toString() : DATA.toString());
    }

    /** dpkg with its arguments, retried while another dpkg or apt-get holds the lock (up to 2 minutes). */
    private static void dpkg(String... args) throws InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "dpkg";
        System.arraycopy(args, 0, command, 1, args.length);
        Tools.Output o = Tools.run(command);
        for (int i = 0; i < 60 && o.status() != 0 && o.stderr().contains("lock"); i++) {
            Thread.sleep(2000);
            o = Tools.run(command);
        }
        assertEquals(0, o.status(), String.join(" ", command) + ": " + o.stderr());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
