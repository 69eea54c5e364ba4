package gulp.pipeline;

/**
 * The threads of a run, by what they do. A role's thread is started by {@link RoleRunner}, which
 * names it and gives it its CPU and priority before the role's work runs: the work itself never
 * touches its thread (as an Agrona agent leaves that to its {@code AgentRunner}).
 */
public enum ThreadRole {
    /** Drains the input (kernel ring, stdin, files) into the ring. */
    READER("gulp-reader", "reader"),
    /** Empties the ring into the output. */
    WRITER("gulp-writer", "writer"),
    /** Finishes output files (fsync, rename, retention, {@code -Z}). */
    FINISHER("gulp-finisher", "finisher");

    private final String threadName;
    private final String description;

    ThreadRole(String threadName, String description) {
        this.threadName = threadName;
        this.description = description;
    }

    public String threadName() {
        return threadName;
    }

    /** As in messages: "the reader thread". */
    public String description() {
        return description;
    }
}
