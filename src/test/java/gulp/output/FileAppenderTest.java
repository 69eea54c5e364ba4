package gulp.output;

import org.junit.jupiter.api.Test;

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

class FileAppenderTest {
    /**
     * Appends of every size (less than a block, a few blocks, more than the staging buffer) from
     * memory that shares the file offsets' alignment (the ring of a stdout file or a first
     * {@code -o} file: whole blocks written in place) and from memory that does not (staged),
     * with idle flushes between some of them: the O_DIRECT file holds exactly the bytes appended
     * after each call, as the buffered one does.
     */
    @Test
    void oDirectAppendsInPlaceAndStagedGiveTheSameFileAsBufferedWrites() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "test-file-appender").toAbsolutePath());
        Path directFile = dir.resolve("direct-" + ProcessHandle.current().pid());
        Path plainFile = dir.resolve("plain-" + ProcessHandle.current().pid());
        int[] sizes = {24, 1 << 20, 100, 8192, 8193, 3 * 4096 + 24, 1, 4095, 5 << 20, 2 * 4096, 70_000, 1 << 20};
        ByteBuffer memory = ByteBuffer.allocateDirect(16 << 20).alignedSlice(4096);
        new java.util.Random(8).ints(memory.capacity()).forEach(i -> memory.put((byte) i));
        try (FileChannel direct = FileChannel.open(directFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING, com.sun.nio.file.ExtendedOpenOption.DIRECT);
             FileChannel plain = FileChannel.open(plainFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int shift : new int[] {0, 24, 4096 + 7}) { // 0 and 4096 + 7: staged; 24: in place after the header
                FileAppender d = new FileAppender(true, 4096, e -> { throw e; });
                FileAppender b = new FileAppender(false, 4096, e -> { throw e; });
                direct.truncate(0);
                plain.truncate(0);
                d.start(direct, 0);
                b.start(plain, 0);
                d.appendHeader(ByteBuffer.wrap(new byte[24]));
                b.appendHeader(ByteBuffer.wrap(new byte[24]));
                int at = shift;
                for (int i = 0; i < sizes.length; i++) {
                    int n = sizes[i];
                    d.appendData(memory.slice(at, n), false);
                    b.appendData(memory.slice(at, n), false);
                    at += n;
                    assertEquals(b.length(), d.length());
                    assertEquals(d.length(), d.written());
                    if (i % 3 == 2) {
                        d.trimPadding();
                        assertEquals(d.length(), direct.size());
                    }
                    assertArrayEquals(readAll(plain, b.length()), readAll(directFile, d.length()), "shift " + shift + ", append " + i);
                }
                d.trimPadding();
                assertEquals(plain.size(), direct.size());
            }
        } finally {
            Files.deleteIfExists(directFile);
            Files.deleteIfExists(plainFile);
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
        });
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            appender.start(full, 0);
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
        });
        FileChannel closed = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        closed.close();
        appender.start(closed, 0);
        IOException thrown = assertThrows(IOException.class, () -> appender.appendData(ByteBuffer.allocate(100), false));
        assertSame(thrown, seen.getFirst());
        assertEquals(ClosedChannelException.class, thrown.getClass());
    }
}
