package gulp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent checks of one test at the same time, a few at once: for tests made of many cases
 * that each wait on child processes (gulp, tcpdump). The first failure, in case order, is thrown as it
 * was thrown (an AssertionError stays one); the cases not yet started are then not run.
 */
public final class Concurrently {
    /** One case: its own files, its own processes, nothing shared but thread-safe state. */
    @FunctionalInterface
    public interface Case {
        void run() throws Exception;
    }

    private Concurrently() {
    }

    /** Runs every case, {@code threads} at a time, and returns when all have ended. */
    public static void run(int threads, List<? extends Case> cases) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("case-", 0).daemon().factory());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Case c : cases) {
                futures.add(pool.submit(() -> {
                    c.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
