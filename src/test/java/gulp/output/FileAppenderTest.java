package gulp.output;

import gulp.testing.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileAppenderTest {
    private static final int IN_PLACE_BLOCK = 2 << 20;
    /** Memory for {@link #inPlaceBlock}: at least its two blocks once aligned to 4096. */
    private static final int IN_PLACE_BYTES = 6 << 20;

    /**
     * Appends of every size (less than a block, a few blocks, more than the staging buffer) from
     * memory that shares the file offsets' alignment (the ring of a stdout file or a first
     * {@code -o} file: whole blocks written in place) and from memory that does not (staged),
     * with idle flushes between some of them: the O_DIRECT file holds exactly the bytes appended
     * after each call, as the buffered one does.
     */
    @Test
    void oDirectAppendsInPlaceAndStagedGiveTheSameFileAsBufferedWrites() throws Exception {
        Path directFile = diskFile("direct");
        Path plainFile = diskFile("plain");
        int[] sizes = {24, 1 << 20, 100, 8192, 8193, 3 * 4096 + 24, 1, 4095, 5 << 20, 2 * 4096, 70_000, 1 << 20};
        ByteBuffer memory = randomAligned(16 << 20, 8);
        try (FileChannel direct = FileChannel.open(directFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING, com.sun.nio.file.ExtendedOpenOption.DIRECT);
             FileChannel plain = openTruncated(plainFile)) {
            for (int shift : new int[] {0, 24, 4096 + 7}) { // 0 and 4096 + 7: staged; 24: in place after the header
                FileAppender d = new FileAppender(true, 4096, e -> { throw e; }, m -> { });
                FileAppender b = new FileAppender(false, 4096, e -> { throw e; }, m -> { });
                direct.truncate(0);
                plain.truncate(0);
                d.start(withDirectFd(direct, directFile), directFile.toString(), 0);
                b.start(OpenFile.buffered(plain), plainFile.toString(), 0);
                d.appendHeader(ByteBuffer.wrap(new byte[24]));
                b.appendHeader(ByteBuffer.wrap(new byte[24]));
                int at = shift;
                for (int i = 0; i < sizes.length; i++) {
                    int n = sizes[i];
                    d.appendData(memory.slice(at, n), false);
                    b.appendData(memory.slice(at, n), false);
                    at += n;
                    assertEquals(b.length(), d.length());
                    if (i % 3 == 2) {
                        d.flush();
                        assertEquals(0, d.bytesInFlight());
                        assertEquals(d.length(), d.written());
                        assertEquals(d.length(), direct.size(), "the file ends at its data: no padding, no preallocated tail");
                        assertArrayEquals(readAll(plain, b.length()), readAll(directFile, d.length()), "shift " + shift + ", append " + i);
                    }
                }
                d.flush();
                assertEquals(plain.size(), direct.size());
                assertArrayEquals(readAll(plain, b.length()), readAll(directFile, d.length()), "shift " + shift);
                d.close();
            }
        }
    }

    /**
     * A staged O_DIRECT append larger than the free space (a 3 MiB tmpfs, Linux 6.6 or later for
     * O_DIRECT there): the chunks written behind that fail reach the handler on the writer's
     * thread, and {@link FileAppender#written()} and the failed call's progress say exactly how
     * much of it is in the file.
     */
    @Test
    void aStagedAppendThatFillsTheDiskSaysHowFarItReachedAlsoForChunksWrittenBehind(@TempDir Path temp) throws Exception {
        Path disk = Files.createDirectory(temp.resolve("disk"));
        Tools.Output mount = Tools.run("mount", "-t", "tmpfs", "-o", "size=3m", "gulp-test-appender", disk.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot mount a tmpfs: " + mount.stdout() + mount.stderr());
        try {
            Path file = disk.resolve("f");
            FileChannel channel = openDirectOrSkip(file);
            List<IOException> seen = new ArrayList<>();
            FileAppender appender = new FileAppender(true, 4096, e -> {
                seen.add(e);
                throw e;
            }, m -> { });
            ByteBuffer memory = randomAligned(8 << 20, 9);
            try (channel) {
                appender.start(withDirectFd(channel, file), file.toString(), 0);
                appender.appendHeader(ByteBuffer.wrap(new byte[24]));
                ByteBuffer bytes = memory.slice(100, 6 << 20); // not aligned as the file: staged, two chunks in flight
                assertThrows(OutOfSpaceException.class, () -> {
                    appender.appendData(bytes, false);
                    appender.flush(); // the failure of a write in flight shows at the next append or flush
                });
                appender.close();
            }
            assertEquals(1, seen.size());
            long reached = appender.written();
            assertTrue(reached > 24 && reached <= 3 << 20, "reached " + reached);
            long known = appender.length() - appender.bytesInFlight(); // what the writer may release: the writes before the failed one
            assertTrue(known >= 24 && known <= reached, "known " + known);
            assertEquals(reached - known, appender.failedDataProgress());
            byte[] expected = new byte[(int) reached - 24];
            memory.get(100, expected);
            byte[] inFile = readAll(file, reached);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(inFile, 24, inFile.length));
        } finally {
            Tools.run("umount", "-l", disk.toString());
        }
    }

    /**
     * Several writes in flight on a disk file (target/): while appending, the file's size runs
     * ahead of the data (fallocate, once the first write completed); after every flush and at the
     * end it is exactly the data, which equals what was appended.
     */
    @Test
    void theFileSizeRunsAheadWhileWritingAndEndsExactlyAtItsDataAfterEveryFlush() throws Exception {
        Path file = diskFile("ahead");
        ByteBuffer memory = randomAligned(24 << 20, 10);
        List<String> said = new ArrayList<>();
        FileAppender appender = new FileAppender(true, 4096, e -> { throw e; }, said::add);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            appender.start(withDirectFd(channel, file), file.toString(), 0);
            appender.appendHeader(ByteBuffer.wrap(new byte[24]));
            int at = 24; // in place: the memory shares the file offsets' alignment
            boolean ranAhead = false;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 5; i++) {
                    int n = (2 << 20) - 1000 + 333 * i;
                    appender.appendData(memory.slice(at, n), false);
                    at += n;
                    ranAhead |= channel.size() > appender.length();
                    assertTrue(appender.bytesInFlight() > 0, "the last write is in flight or partial");
                }
                appender.flush();
                assertEquals(0, appender.bytesInFlight());
                assertEquals(appender.length(), channel.size(), "no preallocated tail, no padding after a flush");
                byte[] expected = new byte[at - 24];
                memory.get(24, expected);
                byte[] inFile = readAll(file, appender.length());
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(inFile, 24, inFile.length), "round " + round);
            }
            assertTrue(ranAhead, "ext4 is written with the size kept ahead");
            assertEquals(List.of(), said);
        } finally {
            appender.close();
        }
    }

    /**
     * Each fallocate waits for the writes in flight, so the size runs further ahead as a stream
     * goes on without a pause: a quarter of what was appended since the last flush, at least
     * {@link DirectWrites#MIN_AHEAD_BYTES} (the step it grows in) and at most
     * {@link DirectWrites#MAX_AHEAD_BYTES}; 320 MiB on a disk file (target/) take it beyond the
     * old fixed 32 MiB, never beyond the bound; after a flush (a pause) it starts again at the
     * least, and the file ends at its data.
     */
    @Test
    void theSizeRunsAQuarterOfTheDataAheadWithinItsBounds() throws Exception {
        assertEquals(DirectWrites.MIN_AHEAD_BYTES, DirectWrites.aheadOf(0));
        assertEquals(128L << 20, DirectWrites.aheadOf(512L << 20));
        assertEquals(DirectWrites.MAX_AHEAD_BYTES, DirectWrites.aheadOf(4L << 30));
        Path file = diskFile("quarter");
        ByteBuffer memory = randomAligned(IN_PLACE_BYTES, 13);
        FileAppender appender = new FileAppender(true, 4096, e -> { throw e; }, m -> { });
        try (FileChannel channel = openTruncated(file)) {
            appender.start(withDirectFd(channel, file), file.toString(), 0);
            long mostAhead = 0;
            for (int i = 0; i < 160; i++) { // 320 MiB, in place (the memory is aligned as the file)
                appender.appendData(inPlaceBlock(memory, i), false);
                long ahead = channel.size() - appender.length();
                mostAhead = Math.max(mostAhead, ahead);
                assertTrue(ahead <= DirectWrites.aheadOf(appender.length()) + DirectWrites.MIN_AHEAD_BYTES,
                        ahead + " bytes ahead of " + appender.length());
            }
            assertTrue(mostAhead > 2 * DirectWrites.MIN_AHEAD_BYTES, "ran " + mostAhead + " bytes ahead at most");
            appender.flush();
            assertEquals(appender.length(), channel.size(), "no preallocated tail after the flush");
            for (int i = 0; i < 8; i++) { // a new burst after the pause
                appender.appendData(inPlaceBlock(memory, i), false);
                long ahead = channel.size() - appender.length();
                assertTrue(ahead <= 2 * DirectWrites.MIN_AHEAD_BYTES, ahead + " bytes ahead after the pause");
            }
            appender.flush();
            assertEquals(appender.length(), channel.size());
        } finally {
            appender.close();
        }
    }

    /**
     * {@code -o} cuts files before a size: the size set ahead stops there (plus two writes), so
     * the cut-back at rotation frees little; a file that grows past it runs ahead as any other.
     */
    @Test
    void anExpectedEndCapsTheSizeSetAheadUntilTheDataPassesIt() throws Exception {
        Path file = diskFile("expected");
        ByteBuffer memory = randomAligned(IN_PLACE_BYTES, 14);
        FileAppender appender = new FileAppender(true, 4096, e -> { throw e; }, m -> { });
        long expected = (40L << 20) + 1000;
        long grain = DirectWrites.PREALLOCATION_GRAIN; // the cap is rounded up to it, so recovery can tell
        long cap = (expected + 2L * DirectWrites.CHUNK_BYTES + grain - 1) / grain * grain;
        try (FileChannel channel = openTruncated(file)) {
            appender.start(withDirectFd(channel, file), file.toString(), 0);
            appender.expectEnd(expected);
            boolean ranAhead = false;
            boolean pastIt = false;
            for (int i = 0; i < 40; i++) { // 80 MiB
                appender.appendData(inPlaceBlock(memory, i), false);
                long size = channel.size();
                ranAhead |= size > appender.length();
                if (appender.length() + IN_PLACE_BLOCK <= cap) {
                    assertTrue(size <= cap, size + " bytes set ahead of an expected end of " + expected);
                }
                pastIt |= size > cap + DirectWrites.MIN_AHEAD_BYTES;
            }
            assertTrue(ranAhead, "the size ran ahead below the expected end");
            assertTrue(pastIt, "past the expected end the size runs ahead as without it");
            appender.flush();
            assertEquals(appender.length(), channel.size());
        } finally {
            appender.close();
        }
    }

    /**
     * ext2 (a loop-mounted image the test makes) takes O_DIRECT but refuses fallocate: said in one
     * line, once, and the file is the same.
     */
    @Test
    void aFileSystemThatRefusesFallocateIsSaidInOneLineAndWrittenAlike(@TempDir Path temp) throws Exception {
        Path image = temp.resolve("ext2.img");
        Path disk = Files.createDirectory(temp.resolve("disk"));
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[1]), (64 << 20) - 1); // a sparse 64 MiB image
        }
        Tools.Output mkfs = Tools.run("mke2fs", "-q", "-t", "ext2", "-F", image.toString());
        Assumptions.assumeTrue(mkfs.status() == 0, "no mke2fs: " + mkfs.stderr());
        Tools.Output mount = Tools.run("mount", "-o", "loop", image.toString(), disk.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot loop-mount: " + mount.stdout() + mount.stderr());
        try {
            Path file = disk.resolve("f");
            ByteBuffer memory = randomAligned(12 << 20, 11);
            List<String> said = new ArrayList<>();
            FileAppender appender = new FileAppender(true, 4096, e -> { throw e; }, said::add);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                appender.start(withDirectFd(channel, file), file.toString(), 0);
                for (int i = 0; i < 5; i++) {
                    appender.appendData(memory.slice(i << 21, 2 << 20), false);
                }
                appender.flush();
                appender.close();
                assertEquals(10 << 20, channel.size());
            }
            assertEquals(1, said.size(), said.toString());
            assertTrue(said.get(0).contains("refuses fallocate"), said.get(0));
            byte[] expected = new byte[10 << 20];
            memory.get(0, expected);
            assertArrayEquals(expected, readAll(file, 10 << 20));
        } finally {
            Tools.run("umount", "-l", disk.toString());
        }
    }

    /**
     * A full disk (a 4 MiB tmpfs, 2 MiB of it taken by another file) meets two writes in flight;
     * the handler makes room (deletes that file) and returns: nothing is lost, the file is exactly
     * what was appended, also where the later write had already put bytes past the failed one.
     */
    @Test
    void aFullDiskThatGetsRoomBackLosesNothingWithTwoWritesInFlight(@TempDir Path temp) throws Exception {
        Path disk = Files.createDirectory(temp.resolve("disk"));
        Tools.Output mount = Tools.run("mount", "-t", "tmpfs", "-o", "size=5m", "gulp-test-appender", disk.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot mount a tmpfs: " + mount.stdout() + mount.stderr());
        try {
            Path filler = Files.write(disk.resolve("filler"), new byte[3 << 20]);
            Path file = disk.resolve("f");
            FileChannel channel = openDirectOrSkip(file);
            List<IOException> seen = new ArrayList<>();
            FileAppender appender = new FileAppender(true, 4096, e -> {
                seen.add(e);
                Files.deleteIfExists(filler); // room made: the write goes on
            }, m -> { });
            ByteBuffer memory = randomAligned(8 << 20, 12);
            int at = 24;
            try (channel) {
                appender.start(withDirectFd(channel, file), file.toString(), 0);
                appender.appendHeader(ByteBuffer.wrap(new byte[24]));
                for (int i = 0; i < 8; i++) {
                    int n = (512 << 10) + 100 * i;
                    appender.appendData(memory.slice(at, n), false);
                    at += n;
                }
                appender.flush();
                appender.close();
                assertEquals(at, channel.size());
            }
            assertTrue(seen.size() >= 1, "the disk was full");
            assertTrue(seen.stream().allMatch(e -> e instanceof OutOfSpaceException), seen.toString());
            byte[] expected = new byte[at - 24];
            memory.get(24, expected);
            byte[] inFile = readAll(file, at);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(inFile, 24, inFile.length));
        } finally {
            Tools.run("umount", "-l", disk.toString());
        }
    }

    private static byte[] readAll(FileChannel c, long length) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) length);
        while (all.hasRemaining() && c.read(all, all.position()) > 0) {
            // reads on
        }
        return all.array();
    }

    /** The first {@code length} bytes, read through a channel of its own (not O_DIRECT). */
    private static byte[] readAll(Path file, long length) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            return readAll(c, length);
        }
    }

    @Test
    void aWriteToAFullDeviceReachesTheHandlerAsOutOfSpaceWithTheSameMessage() throws Exception {
        List<IOException> seen = new ArrayList<>();
        FileAppender appender = new FileAppender(false, 4096, e -> {
            seen.add(e);
            throw e;
        }, m -> { });
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            appender.start(OpenFile.buffered(full), "/dev/full", 0);
            IOException thrown = assertThrows(IOException.class, () -> appender.appendData(ByteBuffer.allocate(100), false));
            OutOfSpaceException typed = assertInstanceOf(OutOfSpaceException.class, thrown);
            assertSame(thrown, seen.getFirst());
            assertEquals(typed.getCause().getMessage(), typed.getMessage());
            assertEquals(0, appender.written());
        }
    }

    @Test
    void otherWriteFailuresReachTheHandlerAsTheyAre() throws Exception {
        List<IOException> seen = new ArrayList<>();
        FileAppender appender = new FileAppender(false, 4096, e -> {
            seen.add(e);
            throw e;
        }, m -> { });
        FileChannel closed = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        closed.close();
        appender.start(OpenFile.buffered(closed), "/dev/null", 0);
        IOException thrown = assertThrows(IOException.class, () -> appender.appendData(ByteBuffer.allocate(100), false));
        assertSame(thrown, seen.getFirst());
        assertEquals(ClosedChannelException.class, thrown.getClass());
    }

    private final List<Integer> directFds = new ArrayList<>();

    /** {@code channel} with an O_DIRECT descriptor of {@code file} beside it, as gulp opens its output; closed after the test. */
    private OpenFile withDirectFd(FileChannel channel, Path file) throws IOException {
        int fd = OpenFile.openDirect(file, gulp.linux.Libc.O_RDWR, file);
        directFds.add(fd);
        return new OpenFile(channel, fd);
    }

    @org.junit.jupiter.api.AfterEach
    void closeDirectFdsAndDeleteDiskFiles() throws IOException {
        directFds.forEach(OpenFile::closeDirect);
        for (Path file : diskFiles) {
            Files.deleteIfExists(file);
        }
    }

    /** A file on a test file system opened with O_DIRECT; the test is skipped where that is refused (some tmpfs). */
    private static FileChannel openDirectOrSkip(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (IOException e) {
            Assumptions.abort("tmpfs refuses O_DIRECT here: " + e.getMessage());
            throw e;
        }
    }

    /** {@code bytes} of seeded random bytes, page-aligned, as the ring's memory is. */
    private static ByteBuffer randomAligned(int bytes, long seed) {
        ByteBuffer memory = ByteBuffer.allocateDirect(bytes).alignedSlice(4096);
        new java.util.Random(seed).ints(memory.capacity()).forEach(i -> memory.put((byte) i));
        return memory;
    }

    private final List<Path> diskFiles = new ArrayList<>();

    /**
     * A file on the disk (target/), where fallocate and O_DIRECT behave as on a capture box's file
     * system; deleted after the test.
     */
    private Path diskFile(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "test-file-appender").toAbsolutePath());
        Path file = dir.resolve(name + "-" + ProcessHandle.current().pid());
        diskFiles.add(file);
        return file;
    }

    /** Block {@code i} of 2 MiB appended in place: the first or the second 2 MiB of {@code memory} in turn. */
    private static ByteBuffer inPlaceBlock(ByteBuffer memory, int i) {
        return memory.slice((i % 2) * IN_PLACE_BLOCK, IN_PLACE_BLOCK);
    }

    private static FileChannel openTruncated(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
