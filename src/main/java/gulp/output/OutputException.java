package gulp.output;

import java.io.IOException;

/** An output problem, with a one-line message that names the file or directory concerned. */
public final class OutputException extends IOException {
    public OutputException(String message) {
        super(message);
    }

    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
