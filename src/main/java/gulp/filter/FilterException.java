package gulp.filter;

/** A filter that cannot be compiled, validated, relocated or run; the message is one line for the user. */
public final class FilterException extends Exception {
    public FilterException(String message) { super(message); }
}
