package gulp.cli;

/** A bad command line: the message is the one line shown before the hint to try --help. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message, null, false, false);
    }
}
