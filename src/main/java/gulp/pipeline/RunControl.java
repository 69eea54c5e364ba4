package gulp.pipeline;

/**
 * What the threads of one run tell each other about ending it: a stop request (signal, count,
 * duration), the first fatal error of each side, and whether a thread died of a bug (an
 * {@link Error} or an unexpected exception: exit status 1, not an input or output error).
 * Volatile fields: written rarely, read once per batch.
 */
public final class RunControl {
    private volatile String stopReason;
    private volatile String readerError;
    private volatile String writerError;
    private volatile String internalError;

    /** Ask the reader to stop; the writer still drains everything already in the ring. */
    public void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    public void requestStopBySignal(String signalName) {
        requestStop("signal " + signalName);
    }

    public boolean stopRequested() {
        return stopReason != null || writerError != null;
    }

    public String stopReason() {
        return stopReason;
    }

    public void readerFailed(String message) {
        if (readerError == null) {
            readerError = message;
        }
    }

    public void writerFailed(String message) {
        if (writerError == null) {
            writerError = message;
        }
    }

    /**
     * {@code thread} ("reader", "writer") died of {@code e}, a bug rather than bad input or a
     * failed output: one line saying where, and the run ends with status 1.
     */
    public void threadCrashed(String thread, Throwable e) {
        if (internalError == null) {
            StackTraceElement[] frames = e.getStackTrace();
            internalError = "internal error in the " + thread + ": " + e
                    + (frames.length > 0 ? " at " + frames[0] : "");
        }
    }

    public String readerError() {
        return readerError;
    }

    public String writerError() {
        return writerError;
    }

    /** The first thread crash ({@link #threadCrashed}), or null. */
    public String internalError() {
        return internalError;
    }
}
