package gulp.capture;

/** Bad or unreadable input: the message is the one line the user sees. */
public final class InputException extends Exception {
    public InputException(String message) {
        super(message, null, false, false);
    }
}
