package gulp.output;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code -Z CMD}: runs {@code CMD FILE} for every finished file, without a shell, at nice 19, at
 * most {@link #MAX_RUNNING} at once (later files wait in order). A command that cannot start or
 * exits non-zero is reported in one line and never stops the capture.
 *
 * <p>Commands are submitted by the {@link Finisher} thread (and by retention when it could not
 * delete a file it had withdrawn) and started, under this object's lock, on the submitting thread
 * or on the thread that saw the previous command end. {@link #withdraw}, which retention also
 * calls on the writer thread, can therefore wait for a command's start (a fork and exec, some
 * milliseconds; the ring buffers meanwhile), never for a command to run.
 *
 * <p>A command runs in the output directory, gets the file's absolute path, stdin from
 * {@code /dev/null}, and a clean environment: only {@link #KEPT_ENVIRONMENT} and the {@code LC_*}
 * variables of gulp's environment are passed on ({@code PATH} is {@link #DEFAULT_PATH} when gulp has
 * none), so nothing a caller of a root gulp set (LD_PRELOAD, JAVA_TOOL_OPTIONS, ...) reaches it.
 */
public final class PostRotateCommand {
    public static final int MAX_RUNNING = 3;
    private static final String NICE = "/usr/bin/nice";
    /** The variables a command inherits from gulp's environment, besides {@code LC_*}. */
    public static final List<String> KEPT_ENVIRONMENT = List.of("PATH", "HOME", "LANG", "TZ");
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String command;
    private final File workingDirectory;
    private final Map<String, String> environment;
    private final Consumer<String> report;
    private final boolean useNice;
    private final ArrayDeque<Path> waiting = new ArrayDeque<>();
    private final List<Process> running = new ArrayList<>();
    private int finished;

    /** @param workingDirectory where the commands run (the output directory) */
    public PostRotateCommand(String command, Path workingDirectory, Consumer<String> report) {
        this.command = command;
        this.workingDirectory = workingDirectory.toAbsolutePath().toFile();
        this.environment = cleanEnvironment(System.getenv());
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
            argv.add(file.toAbsolutePath().toString());
            try {
                ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDirectory);
                builder.environment().clear();
                builder.environment().putAll(environment);
                Process process = builder
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

    /** The part of {@code inherited} a command gets. */
    static Map<String, String> cleanEnvironment(Map<String, String> inherited) {
        Map<String, String> clean = new TreeMap<>();
        inherited.forEach((name, value) -> {
            if (KEPT_ENVIRONMENT.contains(name) || name.startsWith("LC_")) {
                clean.put(name, value);
            }
        });
        clean.putIfAbsent("PATH", DEFAULT_PATH);
        return clean;
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
