package gulp.run;

import gulp.capture.InputException;

import java.io.IOException;

/**
 * How a run ended: its status, and for a failure the one line that says why (shown as
 * {@code gulp: LINE}); the command line maps the status to the exit status.
 */
public record Outcome(Status status, String message) {
    public enum Status {
        OK,
        /** A bug, a thread that died, no memory for the ring, libpcap missing: exit status 1. */
        FAILED,
        /** A bad option value found while setting up (exit status 2). */
        BAD_USAGE,
        /** The input cannot be read or is not what the options need (exit status 3). */
        BAD_INPUT,
        /** The output cannot be set up or written (exit status 4). */
        OUTPUT_FAILED
    }

    public static final Outcome OK = new Outcome(Status.OK, null);

    static Outcome failure(Status status, String message) {
        return new Outcome(status, message);
    }

    /**
     * A run that failed with {@code e} while it was set up or ran: an input it cannot read
     * ({@link InputException}), a setting ({@link SetupException}, its status) or its output
     * (any other {@link IOException}).
     */
    static Outcome failure(Exception e) {
        return failure(switch (e) {
            case InputException input -> Status.BAD_INPUT;
            case SetupException setup -> setup.status();
            case IOException output -> Status.OUTPUT_FAILED;
            default -> Status.FAILED;
        }, e.getMessage());
    }
}
