package gulp.linux;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
