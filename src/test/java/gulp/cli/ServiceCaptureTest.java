package gulp.cli;

import gulp.testing.Frames;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.NotifyReceiver;
import gulp.testing.PcapFiles;
import gulp.testing.TempTrees;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gulp as a service: the notify protocol of a live capture against a socket that plays systemd's
 * part, capture as an unprivileged user with only the unit's capabilities, {@code --user} after
 * starting as root (files, rotation, {@code -Z}), and the bad cases, each one line. Real veth pairs
 * in namespaces this test creates, a real user made with useradd and removed afterwards.
 */
class ServiceCaptureTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed("setpriv", "python3");
    private static String user;
    private static int uid;

    private Path dir;

    @BeforeAll
    static void makeUser() {
        user = "gulpt" + Long.toHexString(ProcessHandle.current().pid() & 0xffff);
        Tools.run("userdel", user); // a leftover of an interrupted run
        Tools.check("useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user);
        uid = Integer.parseInt(Tools.check("id", "-u", user).trim());
    }

    @AfterAll
    static void removeUser() {
        if (user != null) {
            Tools.run("userdel", user);
        }
    }

    /** A directory every user can reach (JUnit's temporary directories are root's alone). */
    @BeforeEach
    void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("gulp-service-test");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeDirectory() throws IOException {
        TempTrees.delete(dir);
    }

    private Path ownedByUser(String name) throws IOException {
        Path d = Files.createDirectory(dir.resolve(name));
        Tools.check("chown", user + ":" + user, d.toString());
        return d;
    }

    private static void send(int count, int length) throws Exception {
        AtomicLong sent = new AtomicLong();
        assertEquals(count, NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count,
                i -> Frames.numbered(i, length, 9), 1_000_000, sent).get(60, TimeUnit.SECONDS));
    }

    private static List<String> setpriv(String caps) {
        return List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups", "--inh-caps=-all," + caps,
                "--ambient-caps=" + caps);
    }

    private GulpInNamespace start(List<String> prefix, Map<String, String> env, Path out, String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "-i";
        all[1] = bed.captureInterface;
        System.arraycopy(args, 0, all, 2, args.length);
        return GulpInNamespace.start(bed.captureNamespace, prefix, env, out, dir.resolve("stderr.txt"), all);
    }

    private static GulpInNamespace listening(GulpInNamespace gulp) throws Exception {
        assertTrue(gulp.awaitListening(60_000), () -> "gulp did not start: " + gulp.stderrOrReason());
        return gulp;
    }

    /** Test frames in the pcap files of {@code d}, and the files, in name order. */
    private static long framesIn(List<Path> files) throws IOException {
        long frames = 0;
        for (Path f : files) {
            long[] n = {0};
            PcapFiles.Summary summary = PcapFiles.visit(f, (s, fr, caplen, wirelen, data, offset) -> {
                if (Frames.sequenceOf(data, offset, caplen) >= 0) {
                    n[0]++;
                }
            });
            assertTrue(summary.cleanEnd(), f + ": " + summary);
            frames += n[0];
        }
        return frames;
    }

    private static List<Path> pcapFiles(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")).sorted().toList();
        }
    }

    private static int ownerOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    @Test
    void aLiveCaptureSendsReadyStatusWatchdogAndStoppingInOrder() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.bind(dir.resolve("notify").toString(), 240);
             GulpInNamespace gulp = listening(start(List.of(), Map.of("NOTIFY_SOCKET", systemd.name(),
                     "WATCHDOG_USEC", "1000000"), dir.resolve("out.pcap")))) {
            assertTrue(systemd.await(d -> d.startsWith("READY=1"), 20_000), systemd.datagrams().toString());
            send(50, 200);
            assertTrue(systemd.await(d -> d.contains("STATUS=50 records written"), 20_000), systemd.datagrams().toString());
            assertTrue(systemd.await(d -> d.startsWith("WATCHDOG=1"), 20_000), systemd.datagrams().toString());
            gulp.signal("TERM");
            assertEquals(0, gulp.waitFor(60), gulp::stderrOrReason);
            assertTrue(systemd.await(d -> d.startsWith("STOPPING=1"), 10_000), systemd.datagrams().toString());
            List<String> got = systemd.datagrams();
            assertTrue(got.get(0).startsWith("READY=1\nSTATUS="), got.toString());
            assertEquals(1, systemd.count("READY=1"), got.toString());
            assertEquals(1, systemd.count("STOPPING=1"), got.toString());
            assertTrue(got.get(got.size() - 1).startsWith("STOPPING=1\nSTATUS=stopping (signal TERM)"), got.toString());
            assertTrue(got.stream().allMatch(d -> d.contains("STATUS=")), got.toString());
            assertFalse(gulp.stderrText().contains("warning"), gulp.stderrText());
        }
    }

    @Test
    void theWatchdogStopsWhileTheWriterIsBlockedOnAFullPipeAndResumesWhenItDrains() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.bind(dir.resolve("notify").toString(), 240);
             GulpInNamespace gulp = listening(start(List.of(), Map.of("NOTIFY_SOCKET", systemd.name(),
                     "WATCHDOG_USEC", "1000000"), null, "-z", "65536"))) {
            assertTrue(systemd.await(d -> d.startsWith("WATCHDOG=1"), 20_000), systemd.datagrams().toString());
            send(3000, 1000); // 3 MB into a pipe nobody reads: the writer blocks in write(2)
            assertTrue(systemd.await(d -> d.contains("stalled (writer)"), 20_000), systemd.datagrams().toString());
            long pingsWhileStalled = systemd.count("WATCHDOG=1");
            Thread.sleep(2500);
            assertEquals(pingsWhileStalled, systemd.count("WATCHDOG=1"), systemd.datagrams().toString());
            assertTrue(gulp.stderrText().contains("warning: the writer made no progress"), gulp.stderrText());
            Thread drain = Thread.ofPlatform().daemon().start(() -> {
                try {
                    gulp.stdout().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // gulp ended
                }
            });
            long deadline = System.currentTimeMillis() + 20_000;
            while (systemd.count("WATCHDOG=1") == pingsWhileStalled && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(systemd.count("WATCHDOG=1") > pingsWhileStalled, systemd.datagrams().toString());
            gulp.signal("TERM");
            assertEquals(0, gulp.waitFor(60), gulp::stderrOrReason);
            drain.join(10_000);
            assertEquals(3000, gulp.counters().get("records written"), gulp.stderrOrReason());
        }
    }

    @Test
    void anUnprivilegedUserWithTheUnitsCapabilitiesCapturesWithoutWarnings() throws Exception {
        Path out = ownedByUser("out");
        try (GulpInNamespace gulp = listening(start(setpriv("+net_raw,+ipc_lock,+sys_nice"), Map.of(), null,
                "-o", out.toString(), "--rotate-packets", "20", "--fifo"))) {
            send(50, 200);
            gulp.stopAfterDrain();
            List<Path> files = pcapFiles(out);
            assertEquals(3, files.size(), files.toString());
            assertEquals(50, framesIn(files));
            for (Path f : files) {
                assertEquals(uid, ownerOf(f), f.toString());
            }
            assertFalse(gulp.stderrText().contains("warning"), gulp.stderrText());
        }
    }

    @Test
    void withCapNetRawAloneTheCaptureWorksAndEachMissingOptionalCapabilityIsOneWarning() throws Exception {
        Path out = ownedByUser("out");
        try (GulpInNamespace gulp = listening(start(setpriv("+net_raw"), Map.of(), null, "-o", out.toString(), "--fifo"))) {
            send(30, 200);
            gulp.stopAfterDrain();
            assertEquals(30, framesIn(pcapFiles(out)));
            List<String> warnings = gulp.stderrText().lines().filter(l -> l.contains("warning")).toList();
            assertEquals(1, warnings.stream().filter(l -> l.contains("CAP_SYS_NICE")).count(), warnings.toString());
            assertTrue(warnings.stream().filter(l -> l.contains("CAP_IPC_LOCK")).count() <= 1, warnings.toString());
            assertTrue(warnings.size() <= 2, warnings.toString());
        }
    }

    @Test
    void withUserAfterStartingAsRootFilesAreTheUsersAndRotationAndPostRotateCommandsWork() throws Exception {
        Path out = ownedByUser("out");
        Path script = dir.resolve("after-rotate.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$1 $(id -u)\" >> done.txt\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (GulpInNamespace gulp = listening(start(List.of(), Map.of(), null, "-o", out.toString(), "--rotate-packets", "10",
                "-Z", script.toString(), "--user", user))) {
            send(35, 200);
            gulp.stopAfterDrain();
            String err = gulp.stderrText();
            assertTrue(err.contains("running as user " + user + " (uid " + uid), err);
            assertTrue(err.contains("capabilities kept: CAP_SYS_NICE"), err);
            assertFalse(err.contains("warning"), err); // the reader still got its priority
            List<Path> files = pcapFiles(out);
            assertEquals(4, files.size(), files.toString());
            assertEquals(35, framesIn(files));
            for (Path f : files) {
                assertEquals(uid, ownerOf(f), f.toString());
            }
            Path lock = out.resolve(".gulp-" + bed.captureInterface + ".lock");
            assertEquals(uid, ownerOf(lock));
            long deadline = System.currentTimeMillis() + 20_000;
            Path done = out.resolve("done.txt");
            while ((!Files.exists(done) || Files.readAllLines(done).size() < 4) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            List<String> ran = Files.readAllLines(done);
            assertEquals(4, ran.size(), ran.toString());
            for (String line : ran) {
                assertTrue(line.endsWith(" " + uid), line); // -Z runs as the user
            }
            assertEquals(uid, ownerOf(done));
        }
        // A second run as root in the same directory finds the lock, now the user's, its own.
        try (GulpInNamespace again = start(List.of(), Map.of(), null, "-o", out.toString(), "--user", user,
                "--duration", "1")) {
            assertEquals(0, again.waitFor(120), again::stderrOrReason);
        }
    }

    @Test
    void aMissingUserIsOneLineAndStatus2() throws Exception {
        try (GulpInNamespace gulp = start(List.of(), Map.of(), null, "-o", dir.toString(), "--user", "no-such-gulp-user")) {
            assertEquals(Main.EXIT_USAGE, gulp.waitFor(60), gulp::stderrOrReason);
            List<String> lines = gulp.stderrText().lines().toList();
            assertEquals(List.of("gulp: --user no-such-gulp-user: no such user"), lines);
        }
    }

    @Test
    void aCaptureDirectoryTheUserCannotWriteIsOneLineBeforeCaptureStarts() throws Exception {
        Path rootOnly = Files.createDirectory(dir.resolve("root-only"));
        try (GulpInNamespace gulp = start(List.of(), Map.of(), null, "-o", rootOnly.toString(), "--user", user)) {
            assertEquals(Main.EXIT_OUTPUT, gulp.waitFor(60), gulp::stderrOrReason);
            List<String> lines = gulp.stderrText().lines().toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("gulp: --user " + user + " (uid " + uid + ") cannot create files in the"
                    + " capture directory " + rootOnly), lines.get(0));
            assertEquals(List.of(), pcapFiles(rootOnly));
        }
    }

    @Test
    void withoutCapNetRawTheOneLineSaysCaptureNeedsIt() throws Exception {
        try (GulpInNamespace gulp = start(setpriv("+ipc_lock,+sys_nice"), Map.of(), dir.resolve("x.pcap"))) {
            assertEquals(Main.EXIT_INPUT, gulp.waitFor(60), gulp::stderrOrReason);
            List<String> lines = gulp.stderrText().lines().toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("permission denied: capture needs CAP_NET_RAW"), lines.get(0));
            assertFalse(lines.get(0).contains("CAP_NET_ADMIN"), lines.get(0));
        }
    }
}
