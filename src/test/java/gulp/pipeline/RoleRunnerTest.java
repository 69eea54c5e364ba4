package gulp.pipeline;

import gulp.linux.Libc;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** A role's thread is named, pinned and prioritised by the runner before the role's work runs. */
class RoleRunnerTest {
    @Test
    void aRoleThreadIsNamedForItsRoleAndPinnedToItsPlannedCpu() throws Exception {
        int[] allowed = Libc.current().allowedCpus();
        int cpu = allowed[allowed.length - 1];
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        RoleRunner runner = new RoleRunner(new RoleRunner.Plan(-1, cpu, false, false), warnings::add);
        AtomicReference<String> name = new AtomicReference<>();
        AtomicReference<int[]> cpus = new AtomicReference<>();
        runner.start(ThreadRole.WRITER, () -> {
            name.set(Thread.currentThread().getName());
            try {
                cpus.set(Libc.current().allowedCpus());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).join();
        assertEquals("gulp-writer", name.get());
        assertArrayEquals(new int[] {cpu}, cpus.get());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aCpuTheProcessMayNotUseIsOneWarningAndTheWorkStillRuns() throws Exception {
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        RoleRunner runner = new RoleRunner(new RoleRunner.Plan(1023, -1, false, false), warnings::add);
        boolean[] ran = new boolean[1];
        runner.start(ThreadRole.READER, () -> ran[0] = true).join();
        assertTrue(ran[0]);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("warning: cannot pin the reader thread to CPU 1023"), warnings.get(0));
    }

    @Test
    void threadsLeftAsStartedAreNeitherPinnedNorPrioritised() throws Exception {
        int[] before = Libc.current().allowedCpus();
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<int[]> cpus = new AtomicReference<>();
        new RoleRunner(RoleRunner.Plan.AS_STARTED, warnings::add).start(ThreadRole.READER, () -> {
            try {
                cpus.set(Libc.current().allowedCpus());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).join();
        assertArrayEquals(before, cpus.get());
        assertEquals(List.of(), warnings);
    }
}
