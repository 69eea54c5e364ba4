package gulp.output;

import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeFilesTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileGetsExactlyItsModeAndANameThatExistsInAnyFormIsRefused() throws Exception {
        List<String> report = new ArrayList<>();
        Path file = dir.resolve("f");
        try (FileChannel c = SafeFiles.createNew(file, 0664, report::add)) {
            c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "umask 022 does not apply");
        assertEquals(3, Files.size(file));
        assertThrows(FileAlreadyExistsException.class, () -> SafeFiles.createNew(file, 0600, report::add));
        Path dangling = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
        assertThrows(FileAlreadyExistsException.class, () -> SafeFiles.createNew(dangling, 0600, report::add));
        assertFalse(Files.exists(dir.resolve("target")));
        assertTrue(report.isEmpty(), report.toString());
    }

    /**
     * An O_DIRECT output file comes with its own descriptor, open with O_DIRECT on the very file
     * (gulp knows its number: no search through /proc/self/fd), beside a channel without O_DIRECT
     * that takes the lock; closing the file closes both.
     */
    @Test
    void aDirectFileHasItsOwnODirectDescriptorOnTheSameFileClosedWithIt() throws Exception {
        Path file = dir.resolve("d");
        OpenFile opened;
        int fd;
        try (OpenFile f = SafeFiles.create(file, 0640, m -> { }, true)) {
            opened = f;
            fd = f.directFd();
            assertTrue(f.direct());
            assertTrue((flagsOf(fd) & gulp.linux.Libc.O_DIRECT) != 0, "open with O_DIRECT");
            assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(f.channel().tryLock() != null, "the channel takes the lock");
            assertEquals(0, f.channel().size());
        }
        assertFalse(opened.channel().isOpen());
        Path link = Path.of("/proc/self/fd/" + fd);
        assertTrue(!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.readSymbolicLink(link).equals(file.toRealPath()),
                "the O_DIRECT descriptor was closed");
        try (OpenFile plain = SafeFiles.create(dir.resolve("b"), 0600, m -> { }, false)) {
            assertFalse(plain.direct());
        }
    }

    private static int flagsOf(int fd) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags for descriptor " + fd);
    }

    @Test
    void onlyARegularFileOfOursWithOneLinkIsOpened() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[] {7});
        try (FileChannel c = SafeFiles.openOurs(file, 0600)) {
            assertEquals(1, c.size());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertEquals("a symbolic link (not followed)",
                assertThrows(SafeFiles.NotOursException.class, () -> SafeFiles.openOurs(link, -1)).getReason());
        Path hard = Files.createLink(dir.resolve("hard"), file);
        assertEquals("a file with 2 hard links",
                assertThrows(SafeFiles.NotOursException.class, () -> SafeFiles.openOurs(hard, -1)).getReason());
        Tools.check("mkfifo", dir.resolve("fifo").toString());
        assertEquals("not a regular file", // and opening it did not block
                assertThrows(SafeFiles.NotOursException.class, () -> SafeFiles.openOurs(dir.resolve("fifo"), -1)).getReason());
    }
}
