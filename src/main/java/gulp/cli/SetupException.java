package gulp.cli;

/** Setting up a run failed: the one line to show and the exit status to use. */
final class SetupException extends Exception {
    private final int status;

    SetupException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
