package gulp.output;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileAppenderTest {
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
