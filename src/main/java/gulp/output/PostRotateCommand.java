package gulp.output;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code -Z CMD}: runs {@code CMD FILE} for every finished file, without a shell, at nice 19, at
 * most {@link #MAX_RUNNING} at once (later files wait in order). A command that cannot start or
 * exits non-zero is reported in one line and never stops the capture. {@link #submit} never blocks
 * the writer thread.
 */
public final class PostRotateCommand {
    public static final int MAX_RUNNING = 3;
    private static final String NICE = "/usr/bin/nice";

    private final String command;
    private final Consumer<String> report;
    private final boolean useNice;
    private final ArrayDeque<Path> waiting = new ArrayDeque<>();
    private final List<Process> running = new ArrayList<>();
    private int finished;

    public PostRotateCommand(String command, Consumer<String> report) {
        this.command = command;
        this.report = report;
        this.useNice = Files.isExecutable(Path.of(NICE));
    }

    /** Queues {@code file}; starts it at once if fewer than {@link #MAX_RUNNING} commands run. */
    public synchronized void submit(Path file) {
        waiting.add(file);
        startWaiting();
    }

    /**
     * Takes {@code file} off the queue if its command has not started (retention deleted the file);
     * true if it was waiting. A command already running keeps whatever it has opened.
     */
    public synchronized boolean withdraw(Path file) {
        if (!waiting.remove(file)) {
            return false;
        }
        notifyAll();
        return true;
    }

    /** Waits until every queued command has run (called at the end of the run); says so if it takes long. */
    public synchronized void awaitAll() throws InterruptedException {
        long start = System.nanoTime();
        boolean told = false;
        while (!waiting.isEmpty() || !running.isEmpty()) {
            wait(1000);
            if (!told && System.nanoTime() - start > 5_000_000_000L && (!waiting.isEmpty() || !running.isEmpty())) {
                told = true;
                report.accept("waiting for -Z '" + command + "': " + running.size() + " running, "
                        + waiting.size() + " queued");
            }
        }
    }

    /** Commands that have ended (for tests and the report). */
    public synchronized int finishedCount() {
        return finished;
    }

    private void startWaiting() {
        while (running.size() < MAX_RUNNING && !waiting.isEmpty()) {
            Path file = waiting.poll();
            List<String> argv = new ArrayList<>();
            if (useNice) {
                argv.addAll(List.of(NICE, "-n", "19"));
            }
            argv.add(command);
            argv.add(file.toString());
            try {
                Process process = new ProcessBuilder(argv)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                running.add(process);
                process.onExit().thenAccept(p -> ended(p, file));
            } catch (IOException e) {
                finished++;
                report.accept("-Z: cannot run '" + command + "' for " + file + ": " + e.getMessage());
                notifyAll();
            }
        }
    }

    private synchronized void ended(Process process, Path file) {
        running.remove(process);
        finished++;
        int status = process.exitValue();
        if (status == 127 && useNice) {
            report.accept("-Z: cannot run '" + command + "' for " + file + " (nice reports status 127: not found)");
        } else if (status != 0) {
            report.accept("-Z: '" + command + " " + file + "' exited with status " + status);
        }
        startWaiting();
        notifyAll();
    }
}
