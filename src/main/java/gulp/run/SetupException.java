package gulp.run;

/** Setting up a run failed: the one line to show and the kind of failure (the exit status). */
final class SetupException extends Exception {
    private final Outcome.Status status;

    SetupException(Outcome.Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    Outcome.Status status() {
        return status;
    }
}
