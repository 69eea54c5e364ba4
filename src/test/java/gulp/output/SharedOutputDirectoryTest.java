package gulp.output;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static gulp.testing.PcapFiles.outputFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Root runs {@code gulp -o DIR} into a directory that another user ('nobody', through setpriv) can
 * write, and that user has planted files there first. Needs root (skipped otherwise).
 */
class SharedOutputDirectoryTest {
    private static final String NOBODY = "65534";

    @TempDir
    Path base;   // root's, traversable by everyone
    Path dir;    // the shared output directory: writable by nobody
    Path secret; // a root-only file outside DIR
    Path input;
    byte[] secretBytes;

    @BeforeEach
    void shareADirectory() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir = Files.createDirectory(base.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        // A root-only file that looks like a capture with a torn last record: recovery would cut it.
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        capture.writeBytes(PcapFiles.syntheticHeader());
        for (int i = 0; i < 10; i++) {
            capture.writeBytes(PcapFiles.syntheticRecord(i, 100, 1_700_000_000_000_000L + i));
        }
        capture.writeBytes(new byte[12]);
        secretBytes = capture.toByteArray();
        secret = Files.write(base.resolve("secret"), secretBytes);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        input = PcapFiles.writeSynthetic(base.resolve("in.pcap"), 50, 50, 1_700_000_000L);
        Files.setPosixFilePermissions(input, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Runs {@code command} as nobody (no groups, no capabilities). */
    private static void asNobody(String... command) {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--inh-caps=-all"));
        argv.addAll(List.of(command));
        Tools.check(argv.toArray(String[]::new));
    }

    private GulpProcess.Result gulp(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--read", input.toString(), "-o", dir.toString()));
        args.addAll(List.of(options));
        return GulpProcess.run(null, null, args.toArray(String[]::new));
    }

    @Test
    void aPlantedSymbolicLinkAsAPartFileMakesRecoveryNeitherTruncateNorRenameWhatItPointsTo() throws Exception {
        Path planted = dir.resolve(".pcap000001.pcap.part");
        asNobody("ln", "-s", secret.toString(), planted.toString());
        var r = gulp("-q");
        assertEquals(0, r.status(), r.stderr());
        assertArrayEquals(secretBytes, Files.readAllBytes(secret), "the root-only file is untouched");
        assertTrue(Files.isSymbolicLink(planted), "the link stays where it was");
        for (Path f : outputFiles(dir)) {
            assertFalse(Files.isSymbolicLink(f), f + " is a link renamed into a capture");
        }
        assertTrue(r.stderr().contains("not recovering " + planted + ": a symbolic link"), r.stderr());
        assertEquals(1, outputFiles(dir).size());
        PcapFiles.assertTcpdumpReads(outputFiles(dir).get(0), 50);
    }

    @Test
    void partFilesOfAnotherUserAreLeftAloneEvenASparseHugeOne() throws Exception {
        Path seed = Files.write(base.resolve("seed"), secretBytes);
        Files.setPosixFilePermissions(seed, PosixFilePermissions.fromString("rw-r--r--"));
        Path theirs = dir.resolve(".pcap000002.pcap.part");
        Path sparse = dir.resolve(".pcap000003.pcap.part");
        asNobody("cp", seed.toString(), theirs.toString());
        asNobody("truncate", "-s", "16G", sparse.toString());
        long start = System.nanoTime();
        var r = gulp("-q");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(0, r.status(), r.stderr());
        assertArrayEquals(secretBytes, Files.readAllBytes(theirs));
        assertEquals(16L << 30, Files.size(sparse));
        assertFalse(Files.exists(dir.resolve("pcap000002.pcap")) || Files.exists(dir.resolve("pcap000003.pcap")), r.stderr());
        assertEquals(2, r.stderr().lines().filter(l -> l.contains("not recovering") && l.contains("owned by uid 65534")).count(),
                r.stderr());
        assertTrue(seconds < 20, seconds + " s");
    }

    @Test
    void aPlantedSymbolicLinkAsTheLockFileMakesGulpCreateNothingWhereItPoints() throws Exception {
        Path target = base.resolve("created-by-root");
        asNobody("ln", "-s", target.toString(), dir.resolve(".gulp-read.lock").toString());
        var r = gulp();
        assertEquals(4, r.status(), r.stderr());
        assertTrue(r.stderr().contains("cannot open the lock file " + dir.resolve(".gulp-read.lock")
                + ": a symbolic link (not followed) (-X runs without it)"), r.stderr());
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
        var forced = gulp("-X", "-q");
        assertEquals(0, forced.status(), forced.stderr());
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
        assertEquals(1, outputFiles(dir).size());
    }

    @Test
    void aLockFileOfAnotherUserIsNotUsed() throws Exception {
        asNobody("touch", dir.resolve(".gulp-read.lock").toString());
        var r = gulp("-x");
        assertEquals(4, r.status(), r.stderr());
        assertTrue(r.stderr().contains("owned by uid 65534, not by gulp's user (uid 0)"), r.stderr());
    }

    @Test
    void theLockFileIsPrivateSoNobodyElseCanHoldALockOnIt() throws Exception {
        var r = gulp("-q");
        assertEquals(0, r.status(), r.stderr());
        Path lock = dir.resolve(".gulp-read.lock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        // One an earlier version left readable becomes private.
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, gulp("-q").status());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
    }

    @Test
    void aDirectoryOthersCanWriteWithoutTheStickyBitIsOneWarning() throws Exception {
        var r = gulp("-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("gulp: warning: the output directory " + dir
                + " (mode 777) can be written by other users and has no sticky bit")).count(), r.stderr());
        Tools.check("chmod", "1777", dir.toString());
        var sticky = gulp("-q");
        assertEquals(0, sticky.status(), sticky.stderr());
        assertFalse(sticky.stderr().contains("can be written by other users"), sticky.stderr());
    }

    @Test
    void aLockFileThatCannotBeOpenedSaysWhy() throws Exception {
        Path closed = Files.createDirectory(base.resolve("closed")); // root's 0755: nobody cannot create files
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--inh-caps=-all"));
        argv.addAll(GulpProcess.command("--read", input.toString(), "-o", closed.toString()));
        Tools.Output r = Tools.run(argv.toArray(String[]::new));
        assertEquals(4, r.status(), r.stderr());
        assertTrue(r.stderr().contains("gulp: cannot open the lock file " + closed.resolve(".gulp-read.lock")
                + ": Permission denied (-X runs without it)"), r.stderr());

        Path readOnly = Files.createDirectory(base.resolve("read-only"));
        Tools.Output mount = Tools.run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "gulp-test-ro", readOnly.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot mount a tmpfs: " + mount.stderr());
        try {
            var ro = GulpProcess.run(null, null, "--read", input.toString(), "-o", readOnly.toString());
            assertEquals(4, ro.status(), ro.stderr());
            assertTrue(ro.stderr().contains("gulp: cannot open the lock file " + readOnly.resolve(".gulp-read.lock")
                    + ": Read-only file system (-X runs without it)"), ro.stderr());
        } finally {
            Tools.run("umount", "-l", readOnly.toString());
        }
    }

    @Test
    void postRotateCommandsRunInTheOutputDirectoryWithACleanEnvironment() throws Exception {
        Path log = base.resolve("z.log");
        Path script = Files.writeString(base.resolve("z.sh"),
                "#!/bin/sh\n{ echo \"file=$1\"; echo \"pwd=$(pwd)\"; env; } >> " + log + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder builder = GulpProcess.builder("--read", input.toString(), "-o", dir.toString(), "-Z", script.toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        builder.environment().put("GULP_TEST_SECRET", "leaked");
        builder.environment().put("LC_TIME", "C");
        Process p = builder.start();
        String err = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.contains("file=" + outputFiles(dir).get(0).toAbsolutePath()), lines.toString());
        assertTrue(lines.contains("pwd=" + dir.toAbsolutePath()), lines.toString());
        assertTrue(lines.contains("LC_TIME=C"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PATH=")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("GULP_TEST_SECRET") || l.startsWith("JAVA_HOME=")), lines.toString());
    }

    /**
     * Another user who can list DIR tries to open each {@code .part} file the moment it appears
     * (the names are predictable): a file created with the default mode and only then given
     * {@code --file-mode} would be open to them in between, and they could keep reading it.
     */
    @Test
    void aPartFileIsNeverOpenToOtherUsersNotEvenTheMomentItIsCreated() throws Exception {
        int files = 300;
        Path many = PcapFiles.writeSynthetic(base.resolve("many.pcap"), files, 1000, 1_700_000_000L);
        Files.setPosixFilePermissions(many, PosixFilePermissions.fromString("rw-r--r--"));
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
        Path racer = Files.writeString(base.resolve("racer.py"), """
                import os, sys, time
                d, n = sys.argv[1], int(sys.argv[2])
                opened, deadline = 0, time.time() + 60
                for seq in range(n):
                    part, final = "%s/.pcap%06d.pcap.part" % (d, seq), "%s/pcap%06d.pcap" % (d, seq)
                    while time.time() < deadline:
                        try:
                            os.open(part, os.O_RDONLY)  # kept open, as an attacker would
                            opened += 1
                            break
                        except PermissionError:
                            break
                        except FileNotFoundError:
                            if os.path.exists(final):
                                break
                print(opened)
                """);
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--inh-caps=-all", "/usr/bin/python3", racer.toString(), dir.toString(), Integer.toString(files)));
        Process attacker = new ProcessBuilder(argv).redirectErrorStream(true).start();
        Thread.sleep(200);
        var r = GulpProcess.run(null, null, "--read", many.toString(), "-o", dir.toString(), "--rotate-packets", "1",
                "--file-mode", "0600", "--fsync", "never", "-q");
        assertEquals(0, r.status(), r.stderr());
        String opened = new String(attacker.getInputStream().readAllBytes()).trim();
        assertEquals(0, attacker.waitFor());
        assertEquals(files, outputFiles(dir).size());
        assertEquals("0", opened, "part files another user opened");
    }
}
