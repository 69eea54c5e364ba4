package gulp.pipeline;

import gulp.linux.Libc;
import gulp.linux.NativeException;

import java.util.function.Consumer;

/**
 * Starts the thread of each {@link ThreadRole} and sets it up from the run's {@link Plan} before
 * the role's work runs: pinned to its CPU, and for the reader a raised priority (nice, optionally
 * SCHED_FIFO). What cannot be done (no CAP_SYS_NICE, a CPU not allowed) is one warning line; the
 * run goes on.
 */
public final class RoleRunner {
    /** Nice value of the reader thread: ahead of ordinary work, as the original Gulp did. */
    public static final int READER_NICE = -10;
    public static final int FIFO_PRIORITY = 10;

    /**
     * Which CPU each role goes to (-1 = leave it to the scheduler) and whether the reader's
     * priority is raised ({@code raiseReader}: nice {@value #READER_NICE}; {@code fifoReader}:
     * SCHED_FIFO as well).
     */
    public record Plan(int readerCpu, int writerCpu, boolean raiseReader, boolean fifoReader) {
        /** Threads left as the JVM starts them (file input, {@code -c}). */
        public static final Plan AS_STARTED = new Plan(-1, -1, false, false);

        public int cpu(ThreadRole role) {
            return switch (role) {
                case READER -> readerCpu;
                case WRITER -> writerCpu;
                case FINISHER -> -1;
            };
        }

        /** For the start-up line: "reader on cpu 3, writer on cpu 2". */
        public String describe() {
            return "reader " + (readerCpu < 0 ? "unpinned" : "on cpu " + readerCpu) + ", writer "
                    + (writerCpu < 0 ? "unpinned" : "on cpu " + writerCpu);
        }
    }

    private final Plan plan;
    private final Consumer<String> warnings;

    /** @param warnings receives one line for each set-up step that failed */
    public RoleRunner(Plan plan, Consumer<String> warnings) {
        this.plan = plan;
        this.warnings = warnings;
    }

    public Plan plan() {
        return plan;
    }

    /** Starts {@code work} on a new platform thread of {@code role}, set up first. */
    public Thread start(ThreadRole role, Runnable work) {
        return Thread.ofPlatform().name(role.threadName()).start(body(role, work));
    }

    /** As {@link #start}, not started yet and a daemon (for roles that must not hold the JVM up). */
    public Thread unstartedDaemon(ThreadRole role, Runnable work) {
        return Thread.ofPlatform().name(role.threadName()).daemon().unstarted(body(role, work));
    }

    private Runnable body(ThreadRole role, Runnable work) {
        return () -> {
            setUpCurrentThread(role);
            work.run();
        };
    }

    /** Pins and prioritises the calling thread as {@code role}'s thread. */
    void setUpCurrentThread(ThreadRole role) {
        int cpu = plan.cpu(role);
        NativeException notPinned = pinCurrentThread(cpu);
        if (notPinned != null) {
            String why = notPinned.errno() == Libc.EINVAL ? "it is not among the CPUs this process may use" : notPinned.getMessage();
            warnings.accept("warning: cannot pin the " + role.description() + " thread to CPU " + cpu + " (" + why + ")");
        }
        if (role != ThreadRole.READER || !plan.raiseReader()) {
            return;
        }
        NativeException notRaised = raiseCurrentThread();
        if (notRaised != null) {
            // One line for the missing capability, --fifo included: SCHED_FIFO would fail the same way.
            warnings.accept("warning: cannot raise the reader thread's priority" + (plan.fifoReader() ? " or give it SCHED_FIFO" : "")
                    + " (" + notRaised.getMessage() + "; needs CAP_SYS_NICE)");
            if (notRaised.errno() == Libc.EPERM || notRaised.errno() == Libc.EACCES) {
                return;
            }
        }
        if (plan.fifoReader()) {
            try {
                Libc.current().setCurrentThreadFifo(FIFO_PRIORITY);
            } catch (NativeException e) {
                warnings.accept("warning: cannot give the reader thread SCHED_FIFO (" + e.getMessage()
                        + "; needs CAP_SYS_NICE)");
            }
        }
    }

    /**
     * Sets up the calling thread, a helper of the readers (not a role of its own), as the roles'
     * threads are: pinned to {@code cpu} (unless -1) and, with {@code raise}, at the reader's nice
     * value {@value #READER_NICE}. Silent: what fails here failed the reader's and writer's own
     * set-up too, which said so in its warning.
     */
    public static void setUpHelperThread(int cpu, boolean raise) {
        pinCurrentThread(cpu);
        if (raise) {
            raiseCurrentThread();
        }
    }

    /** Pins the calling thread to {@code cpu} (nothing for -1); the failure, or null. */
    private static NativeException pinCurrentThread(int cpu) {
        if (cpu < 0) {
            return null;
        }
        try {
            Libc.current().pinCurrentThread(cpu);
            return null;
        } catch (NativeException e) {
            return e;
        }
    }

    /** Gives the calling thread the reader's nice value; the failure, or null. */
    private static NativeException raiseCurrentThread() {
        Libc libc = Libc.current();
        try {
            libc.setThreadNice(libc.gettid(), READER_NICE);
            return null;
        } catch (NativeException e) {
            return e;
        }
    }
}
