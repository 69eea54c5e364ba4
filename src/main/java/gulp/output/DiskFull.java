package gulp.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What an {@code -o} run does when the disk is full (ENOSPC, EDQUOT) while a file is created or
 * written: delete this run's oldest finished file if a retention option is set, otherwise wait a
 * second while the ring holds what arrives; when the run is asked to stop while the disk is still
 * full, give up (the write fails and the file keeps every complete record that reached it). Says
 * in one line when an episode starts and when writing goes on. Writer thread only.
 */
final class DiskFull {
    private static final long RETRY_MILLIS = 1000;

    private final RunFiles runFiles;
    private final BooleanSupplier giveUp;
    private final Consumer<String> report;
    private final Path directory;

    private long since = -1; // System.nanoTime() when the current episode began; -1: there is space
    private volatile boolean stalled; // an episode is on (read by the reader: what it loses meanwhile is the stall's)
    private int episodes;

    DiskFull(RunFiles runFiles, BooleanSupplier giveUp, Consumer<String> report, Path directory) {
        this.runFiles = runFiles;
        this.giveUp = giveUp;
        this.report = report;
        this.directory = directory;
    }

    static boolean isOutOfSpace(IOException e) {
        return e instanceof OutOfSpaceException;
    }

    /** Returns when the failed operation on {@code file} may be tried again; throws to give up. */
    void makeRoom(IOException cause, Path file) throws IOException {
        if (since < 0) {
            since = System.nanoTime();
            stalled = true;
            episodes++;
            report.accept(cause.getMessage() + " writing " + file + (runFiles.active() && runFiles.finishedCount() > 0
                    ? "; deleting this run's oldest files to make room"
                    : "; retrying every second, the ring buffer holds what arrives meanwhile"));
        }
        if (runFiles.active() && runFiles.deleteOldest()) {
            return;
        }
        if (giveUp.getAsBoolean()) {
            throw new OutputException(cause.getMessage() + " writing " + file
                    + "; gave up at the end of the run with data still in the ring");
        }
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutputException("interrupted while waiting for space in " + directory);
        }
    }

    /** A write succeeded: ends an episode, saying so. */
    void wroteAgain() {
        if (since >= 0) {
            report.accept("writing " + directory + " again after " + (System.nanoTime() - since) / 1_000_000_000L
                    + " s without space");
            since = -1;
            stalled = false;
        }
    }

    /** True during an episode, until a write succeeds again. Any thread. */
    boolean stalled() {
        return stalled;
    }

    /** How many times writing stalled for want of space. */
    int episodes() {
        return episodes;
    }
}
