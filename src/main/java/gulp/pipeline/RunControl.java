package gulp.pipeline;

/**
 * What the threads of one run tell each other about ending it: a stop request (signal, count,
 * duration) and the first fatal error of each side. Volatile fields: written rarely, read once per
 * batch.
 */
public final class RunControl {
    private volatile String stopReason;
    private volatile String readerError;
    private volatile String writerError;

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

    public String readerError() {
        return readerError;
    }

    public String writerError() {
        return writerError;
    }
}
