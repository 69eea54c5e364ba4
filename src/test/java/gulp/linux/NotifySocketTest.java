package gulp.linux;

import gulp.testing.NotifyReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.*;

/** sd_notify's datagrams, sent through FFM to a socket a python3 receiver binds (systemd's part). */
class NotifySocketTest {
    @TempDir
    Path temp;

    @Test
    void eachMessageArrivesAsOneDatagramOnAPathSocket() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.bind(temp.resolve("notify").toString(), 30);
             NotifySocket socket = NotifySocket.connect(receiver.name())) {
            socket.send("READY=1\nSTATUS=listening");
            socket.send("WATCHDOG=1");
            assertTrue(receiver.await("WATCHDOG=1"::equals, 10_000), receiver.datagrams().toString());
            assertEquals(List.of("READY=1\nSTATUS=listening", "WATCHDOG=1"), receiver.datagrams());
        }
    }

    @Test
    void anAtNameReachesTheAbstractSocketOfThatName() throws Exception {
        String name = "@gulp-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifyReceiver receiver = NotifyReceiver.bind(name, 30); NotifySocket socket = NotifySocket.connect(name)) {
            socket.send("STOPPING=1");
            assertTrue(receiver.await("STOPPING=1"::equals, 10_000), receiver.datagrams().toString());
        }
    }

    @Test
    void aSocketNobodyListensOnFailsToConnectWithTheReason() {
        NativeException e = assertThrows(NativeException.class,
                () -> NotifySocket.connect(temp.resolve("nobody-here").toString()));
        assertEquals(Libc.ENOENT, e.errno(), e.getMessage());
        assertTrue(e.getMessage().startsWith("connect: "), e.getMessage());
    }

    @Test
    void anAbstractAddressIsANulThenTheNameWithNoTrailingNul() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment abstractName = SockaddrUn.allocate(arena, "@abc");
            assertEquals(2 + 1 + 3, abstractName.byteSize());
            assertEquals(SockaddrUn.AF_UNIX, abstractName.get(JAVA_SHORT, 0));
            assertEquals(0, abstractName.get(JAVA_BYTE, 2));
            assertEquals('c', abstractName.get(JAVA_BYTE, 5));
            MemorySegment path = SockaddrUn.allocate(arena, "/run/x");
            assertEquals(2 + 6 + 1, path.byteSize());
            assertEquals(0, path.get(JAVA_BYTE, 8));
        }
    }

    @Test
    void aRelativeOrOverlongNameIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> SockaddrUn.allocate(arena, "relative/sock"));
            assertThrows(IllegalArgumentException.class, () -> SockaddrUn.allocate(arena, "/" + "x".repeat(107)));
            assertThrows(IllegalArgumentException.class, () -> SockaddrUn.allocate(arena, "@"));
        }
    }
}
