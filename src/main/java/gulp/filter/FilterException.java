package gulp.filter;

/** A filter that cannot be compiled, validated, relocated or run; the message is one line for the user. */
public final class FilterException extends Exception {
    private final boolean libpcapMissing;

    public FilterException(String message) {
        this(message, false);
    }

    private FilterException(String message, boolean libpcapMissing) {
        super(message);
        this.libpcapMissing = libpcapMissing;
    }

    /** The filter could not be compiled because libpcap, which compiles it, is not installed. */
    static FilterException libpcapMissing(String message) {
        return new FilterException(message, true);
    }

    /** True when the cause is a missing libpcap (the system's problem), not the filter itself. */
    public boolean isLibpcapMissing() {
        return libpcapMissing;
    }
}
