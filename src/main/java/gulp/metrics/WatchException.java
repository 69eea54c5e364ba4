package gulp.metrics;

/** {@code --metrics} or {@code --stats-json} cannot be set up: the one line to show. */
public final class WatchException extends Exception {
    private final boolean output;

    WatchException(String message) {
        this(message, false);
    }

    /** @param output true for an output that cannot be opened (exit status 4), false for a bad value (2) */
    WatchException(String message, boolean output) {
        super(message, null, false, false);
        this.output = output;
    }

    public boolean isOutput() {
        return output;
    }
}
