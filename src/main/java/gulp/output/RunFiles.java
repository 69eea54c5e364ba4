package gulp.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Retention of an {@code -o} run ({@code -W}, {@code --max-total}, {@code --min-free}): the files
 * of this run it may delete — the finished ones, oldest first, and those the {@link Finisher} is
 * still forcing and renaming ("in flight") — and the limits they are kept within. Both lists are
 * kept under one lock, so a file moving from one to the other is counted exactly once at every
 * moment (counting them under two locks once let {@code -W} delete a file too many). The file the
 * writer is writing is not here: callers add it.
 *
 * <p>Deleting a file also withdraws its {@code -Z} command if that has not started yet. Files of
 * other runs are never here, so never deleted. Called from the writer and the finisher thread.
 */
final class RunFiles {
    private record Finished(Path path, long bytes) {
    }

    private final ArrayDeque<Finished> finished = new ArrayDeque<>(); // guarded by this
    private long finishedBytes;                                       // guarded by this
    private int inFlight;                                             // guarded by this
    private long inFlightBytes;                                       // guarded by this
    private final RotatingFileSink.Retention limits;
    private final Path directory;
    private final PostRotateCommand postRotate; // null without -Z
    private final Consumer<String> report;
    private volatile FileIndexHook index = FileIndexHook.NONE;
    private volatile long lastFinishedBytes; // the size a new file is expected to reach, for its index's room

    RunFiles(RotatingFileSink.Retention limits, Path directory, PostRotateCommand postRotate, Consumer<String> report) {
        this.limits = limits;
        this.directory = directory;
        this.postRotate = postRotate;
        this.report = report;
    }

    /** The extraction index beside each file: its bytes count as its file's (issue 13). */
    void indexWith(FileIndexHook hook) {
        this.index = hook;
    }

    /** Whether any retention option is set: only then may a full disk be answered by deleting files. */
    boolean active() {
        return limits.active();
    }

    /** Before a new file is created: room for it within {@code -W}, and {@code --min-free}. */
    void makeRoomForNextFile() {
        keepCountWithin(1);
        keepFreeSpace();
    }

    /** After the finisher finished a file: {@code --max-total} and {@code -W} without a current file. */
    void afterFinished() {
        keepBytesWithin(0);
        keepCountWithin(0);
    }

    /** Keeps this run's files, with {@code extra} more, within {@code -W}. */
    private void keepCountWithin(int extra) {
        if (limits.maxFiles() > 0) {
            while (count() + extra > limits.maxFiles() && deleteOldest()) {
                // Deleted one.
            }
        }
    }

    /**
     * Keeps this run's files, with {@code currentFileBytes} of the file being written, within
     * {@code --max-total} (called by the writer after each write; no lock without the option).
     */
    void keepBytesWithin(long currentFileBytes) {
        if (limits.maxTotalBytes() > 0) {
            long current = currentFileBytes == 0 ? 0 : currentFileBytes + index.indexBytesBound(currentFileBytes);
            while (bytes() + current > limits.maxTotalBytes() && deleteOldest()) {
                // Deleted one.
            }
        }
    }

    /**
     * Deletes the oldest files while the file system has less free space than {@code --min-free}
     * asks, with room for the index of the file being written (bounded for a file the size of the
     * last one finished).
     */
    void keepFreeSpace() {
        if (limits.minFreeBytes() <= 0 && limits.minFreeFraction() <= 0) {
            return;
        }
        try {
            var store = Files.getFileStore(directory);
            long wanted = Math.max(limits.minFreeBytes(), (long) (limits.minFreeFraction() * store.getTotalSpace()))
                    + index.indexBytesBound(lastFinishedBytes);
            while (store.getUsableSpace() < wanted && deleteOldest()) {
                // Deleted one.
            }
        } catch (IOException e) {
            // The next write reports a real problem with the directory.
        }
    }

    /** The writer handed a file of {@code bytes} to the finisher. */
    synchronized void handedOver(long bytes) {
        inFlight++;
        inFlightBytes += bytes;
    }

    /**
     * The finisher renamed a handed-over file to {@code path} (and its index beside it): now it is
     * finished (in one step), counted with its index's bytes.
     */
    void finished(Path path, long bytes) {
        long withIndex = bytes + indexBytes(path, bytes);
        lastFinishedBytes = bytes;
        synchronized (this) {
            inFlight--;
            inFlightBytes -= bytes;
            finished.add(new Finished(path, withIndex));
            finishedBytes += withIndex;
            notifyAll();
        }
    }

    /**
     * The bytes of the index of {@code file}: its size, or the most it can take if it is not there
     * (yet: the finisher gave up waiting for it, and the index thread renames it later; 0 with
     * {@code --no-index}).
     */
    private long indexBytes(Path file, long fileBytes) {
        try {
            return Files.size(indexOf(file));
        } catch (IOException e) {
            return index.indexBytesBound(fileBytes);
        }
    }

    private static Path indexOf(Path file) {
        return file.resolveSibling(FileNamer.indexName(file.getFileName().toString()));
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
    private synchronized int count() {
        return finished.size() + inFlight;
    }

    /** Bytes of the files finished or in flight. */
    private synchronized long bytes() {
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
            // The file first, then its index: an index renamed beside it meanwhile (it came late) is
            // removed here, or by the index thread, which tests for the file after its rename.
            Files.deleteIfExists(oldest.path());
            Files.deleteIfExists(indexOf(oldest.path()));
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
