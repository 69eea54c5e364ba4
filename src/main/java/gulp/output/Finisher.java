package gulp.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The {@code gulp-finisher} thread of an {@code -o} run: forces each written file to disk, closes
 * it, renames {@code .NAME.part} to {@code NAME}, syncs the directory, hands the file to
 * {@code -Z} and to retention ({@link RunFiles}), in the order the files were written. Forcing a
 * file of a gigabyte can take seconds, during which the writer keeps emptying the ring into the
 * next file.
 *
 * <p>Its first error stops the run at the writer's next rotation or at close, with the message
 * naming the file. {@link #finish} and {@link #rethrow} are called by the writer thread.
 */
final class Finisher {
    /** A written file to force, close and rename to {@code target}; {@code length} bytes long. */
    record Job(OpenFile file, Path part, Path target, long length) {
    }

    private final FsyncPolicy fsync;
    private final Path directory;
    private final PostRotateCommand postRotate; // null without -Z
    private final RunFiles runFiles;
    private final Consumer<String> report;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile OutputException error;
    private volatile FileIndexHook index = FileIndexHook.NONE;
    private volatile FileListener listener;

    Finisher(FsyncPolicy fsync, Path directory, PostRotateCommand postRotate, RunFiles runFiles,
             Consumer<String> report) {
        this.fsync = fsync;
        this.directory = directory;
        this.postRotate = postRotate;
        this.runFiles = runFiles;
        this.report = report;
        this.thread = Thread.ofPlatform().daemon().name("gulp-finisher").unstarted(this::run);
    }

    /** The extraction index kept beside each file (issue 13): renamed after its file. */
    void indexWith(FileIndexHook hook) {
        this.index = hook;
    }

    void setListener(FileListener listener) {
        this.listener = listener;
    }

    /** Queues {@code job}; it counts for retention (in flight) before the thread can take it. */
    synchronized void finish(Job job) throws OutputException {
        rethrow();
        if (thread.getState() == Thread.State.NEW) {
            thread.start();
        }
        runFiles.handedOver(job.length());
        queue.add(job);
    }

    /** Throws the finisher's first error, if it had one. */
    void rethrow() throws OutputException {
        if (error != null) {
            throw error;
        }
    }

    /** Waits until every queued file is finished; rethrows the first error. */
    void awaitAll() throws OutputException {
        runFiles.awaitNoneInFlight();
        rethrow();
    }

    /** Waits until every {@code -Z} command has run (an interrupt meanwhile is kept for the caller). */
    void awaitCommands() {
        if (postRotate != null) {
            try {
                postRotate.awaitAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                complete(job);
            } catch (OutputException e) {
                if (error == null) {
                    error = e;
                }
                report.accept(e.getMessage());
                runFiles.abandoned(job.length());
            }
        }
    }

    private void complete(Job job) throws OutputException {
        try (OpenFile f = job.file()) {
            if (fsync != FsyncPolicy.NEVER) {
                f.channel().force(true);
            }
        } catch (IOException e) {
            throw new OutputException("cannot finish " + job.part() + ": " + e.getMessage(), e);
        }
        FileListener told = listener;
        if (told != null) {
            try {
                told.forced(job.target());
            } catch (IOException | RuntimeException e) {
                throw new OutputException("cannot finish " + job.part() + ": " + e.getMessage(), e);
            }
        }
        try {
            Files.move(job.part(), job.target(), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            throw new OutputException("cannot rename " + job.part() + " to " + job.target().getFileName()
                    + ": the output directory " + directory + " does not exist any more");
        } catch (IOException e) {
            throw new OutputException("cannot rename " + job.part() + " to " + job.target().getFileName() + ": " + e, e);
        }
        index.fileFinished(job.part(), job.target());
        if (fsync != FsyncPolicy.NEVER) {
            forceDirectory();
        }
        if (postRotate != null) {
            // Queued before retention can see the file, so that deleting it also withdraws it.
            postRotate.submit(job.target());
        }
        runFiles.finished(job.target(), job.length());
        runFiles.afterFinished();
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot sync a directory; the rename is then as durable as they make it.
        }
    }
}
