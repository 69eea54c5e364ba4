package gulp.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibcTest {
    @Test
    void pinningAThreadChangesOnlyThatThreadsAllowedCpus() throws Exception {
        int[] allowed = Libc.current().allowedCpus();
        assertTrue(allowed.length >= 1);
        int target = allowed[allowed.length - 1];
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                Libc libc = Libc.current();
                libc.pinCurrentThread(target);
                int tid = libc.gettid();
                String status = Files.readString(Path.of("/proc/self/task/" + tid + "/status"));
                seen.complete(status.lines().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElse("")
                        + " " + libc.allowedCpus().length);
            } catch (Exception e) {
                seen.completeExceptionally(e);
            }
        });
        assertEquals("Cpus_allowed_list:\t" + target + " 1", seen.get(10, TimeUnit.SECONDS));
        assertEquals(allowed.length, Libc.current().allowedCpus().length, "the calling thread is unchanged");
    }

    @Test
    void failuresCarryErrnoAndTheCLibrarysText() {
        NativeException e = assertThrows(NativeException.class, () -> Libc.current().close(-1));
        assertEquals(9, e.errno()); // EBADF
        assertEquals("close: Bad file descriptor", e.getMessage());
        assertThrows(NativeException.class, () -> Libc.current().pinCurrentThread(Libc.MAX_CPUS));
    }

    @Test
    void anUnknownInterfaceHasIndexZero() {
        assertEquals(0, Libc.current().ifNameToIndex("gt-no-such-if"));
        assertTrue(Libc.current().ifNameToIndex("lo") > 0);
    }

    @Test
    void openCreatesExclusivelyWithoutFollowingLinksAndFstatAndFchmodActOnTheDescriptor(@TempDir Path dir) throws Exception {
        Libc libc = Libc.current();
        String file = dir.resolve("f").toString();
        int flags = Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
        int fd = libc.open(file, flags, 0600);
        try {
            libc.fchmod(fd, 0640);
            Statx.FileStatus status = libc.fstat(fd);
            assertTrue(status.isRegularFile());
            assertEquals(0100640, status.mode());
            assertEquals(Libc.geteuid(), status.uid());
            assertEquals(Libc.getegid(), status.gid());
            assertEquals(1, status.links());
            assertEquals(0, status.size());
            assertEquals(Files.getAttribute(dir.resolve("f"), "unix:ino"), status.inode());
        } finally {
            libc.close(fd);
        }
        assertEquals(Libc.EEXIST, assertThrows(NativeException.class, () -> libc.open(file, flags, 0600)).errno());
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("f"));
        assertEquals(Libc.ELOOP, assertThrows(NativeException.class,
                () -> libc.open(link.toString(), Libc.O_RDWR | Libc.O_NOFOLLOW, 0)).errno());
        Files.createSymbolicLink(dir.resolve("dangling2"), dir.resolve("nowhere"));
        assertEquals(Libc.EEXIST, assertThrows(NativeException.class,
                () -> libc.open(dir.resolve("dangling2").toString(), flags, 0600)).errno(), "a dangling link is not followed");
        assertFalse(Files.exists(dir.resolve("nowhere")));
        Statx.FileStatus directory = libc.stat(dir.toString());
        assertTrue(directory.isDirectory());
        assertEquals(Files.getAttribute(dir, "unix:mode"), directory.mode());
    }

    @Test
    void errnoOfMapsTheJdksReportOfAFailedCallBackToItsErrno() throws Exception {
        // /dev/full answers every write with ENOSPC; a directory cannot be opened for writing.
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            IOException e = assertThrows(IOException.class, () -> full.write(ByteBuffer.allocate(10)));
            assertEquals(Libc.ENOSPC, Libc.errnoOf(e), e.getMessage());
        }
        IOException e = assertThrows(FileSystemException.class,
                () -> FileChannel.open(Path.of("/"), StandardOpenOption.WRITE));
        assertEquals(21, Libc.errnoOf(e), e.getMessage()); // EISDIR
        assertEquals(0, Libc.errnoOf(new IOException("no errno in this")));
        assertEquals(0, Libc.errnoOf(new IOException()));
    }
}
