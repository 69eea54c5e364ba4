package gulp.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The files of this run that retention ({@code -W}, {@code --max-total}, {@code --min-free}) may
 * delete: the finished ones, oldest first, and those the finisher thread is still forcing and
 * renaming ("in flight"). Both lists are kept under one lock, so a file moving from one to the
 * other is counted exactly once at every moment (counting them under two locks once let {@code -W}
 * delete a file too many). The file the writer is writing is not here: callers add it.
 *
 * <p>Deleting a file also withdraws its {@code -Z} command if that has not started yet. Files of
 * other runs are never here, so never deleted.
 */
final class RunFiles {
    private record Finished(Path path, long bytes) {
    }

    private final ArrayDeque<Finished> finished = new ArrayDeque<>(); // guarded by this
    private long finishedBytes;                                       // guarded by this
    private int inFlight;                                             // guarded by this
    private long inFlightBytes;                                       // guarded by this
    private final PostRotateCommand postRotate; // null without -Z
    private final Consumer<String> report;

    RunFiles(PostRotateCommand postRotate, Consumer<String> report) {
        this.postRotate = postRotate;
        this.report = report;
    }

    /** The writer handed a file of {@code bytes} to the finisher. */
    synchronized void handedOver(long bytes) {
        inFlight++;
        inFlightBytes += bytes;
    }

    /** The finisher renamed a handed-over file to {@code path}: now it is finished (in one step). */
    synchronized void finished(Path path, long bytes) {
        inFlight--;
        inFlightBytes -= bytes;
        finished.add(new Finished(path, bytes));
        finishedBytes += bytes;
        notifyAll();
    }

    /** The finisher failed on a handed-over file: it no longer counts (its error stops the run). */
    synchronized void abandoned(long bytes) {
        inFlight--;
        inFlightBytes -= bytes;
        notifyAll();
    }

    /** Finished files (for the disk-full message: is there anything retention could delete?). */
    synchronized int finishedCount() {
        return finished.size();
    }

    /** Files finished or in flight. */
    synchronized int count() {
        return finished.size() + inFlight;
    }

    /** Bytes of the files finished or in flight. */
    synchronized long bytes() {
        return finishedBytes + inFlightBytes;
    }

    /** Waits until no file is in flight (an interrupt meanwhile is kept for the caller). */
    synchronized void awaitNoneInFlight() {
        boolean interrupted = false;
        while (inFlight > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the oldest finished files while more than {@code maxFiles} would exist with {@code extra} more. */
    void keepCountWithin(long maxFiles, int extra) {
        while (count() + extra > maxFiles && deleteOldest()) {
            // Deleted one.
        }
    }

    /** Deletes the oldest finished files while their bytes and {@code extraBytes} exceed {@code maxBytes}. */
    void keepBytesWithin(long maxBytes, long extraBytes) {
        while (bytes() + extraBytes > maxBytes && deleteOldest()) {
            // Deleted one.
        }
    }

    /** Deletes this run's oldest finished file; false if there is none. */
    boolean deleteOldest() {
        Finished oldest;
        synchronized (this) {
            oldest = finished.poll();
            if (oldest == null) {
                return false;
            }
            finishedBytes -= oldest.bytes();
        }
        // Withdrawn first: a command that ends meanwhile must not start the next one on a deleted file.
        boolean withdrawn = postRotate != null && postRotate.withdraw(oldest.path());
        try {
            Files.deleteIfExists(oldest.path());
        } catch (IOException e) {
            report.accept("warning: cannot delete " + oldest.path() + " for retention: " + e.getMessage());
            if (withdrawn) {
                postRotate.submit(oldest.path()); // still there: its command runs after all
            }
            return true;
        }
        if (withdrawn) {
            report.accept("warning: retention deleted " + oldest.path() + " before -Z ran on it");
        }
        return true;
    }
}
