package gulp.output;

import gulp.format.FileEnvelope;
import gulp.linux.Libc;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * stdout when the shell sent it to a regular file ({@code gulp ... > file}, {@code >> file}):
 * written with O_DIRECT unless {@code --buffered-io} asks otherwise, the file system refuses it
 * (EINVAL) or the capture starts at an offset that is not a multiple of the block size (an
 * unaligned {@code >>}); each of those is said in one line and the file is written buffered.
 *
 * <p>For O_DIRECT the file is opened again through {@code /proc/self/fd/1} ({@link OpenFile#openDirect}):
 * gulp gets its own open file description for the writes (descriptor 1 serves the file's size,
 * truncation and sync), so the shell's descriptor keeps its flags (an {@code fcntl(F_SETFL,
 * O_DIRECT)} on descriptor 1 would change them for every later command of the same
 * redirection, and stay changed if gulp were killed). The bytes go at explicit offsets from where
 * descriptor 1 stood (the end of the file for {@code >>}); at close the file has exactly the
 * bytes written and descriptor 1's offset moves to their end, so a command after gulp in the same
 * redirection writes after the capture. A write that fails part-way (disk full, {@code ulimit
 * -f}) leaves the file ending on the last complete record.
 *
 * <p>Writer thread only (and the main thread before the run).
 */
public final class StdoutFileSink implements Sink {
    private static final Path STDOUT_PATH = Path.of("/proc/self/fd/1");
    private static final int O_APPEND = 02000; // in /proc/self/fdinfo/1's "flags:" (octal)

    private final FileChannel stdout;  // descriptor 1
    private final OpenFile file;       // descriptor 1, and the O_DIRECT reopening the writes go through (if any)
    private final FileAppender appender;
    private final String how;
    private final FileEnvelope envelope;
    private boolean headerPending = true;

    private StdoutFileSink(FileChannel stdout, OpenFile file, FileAppender appender, long start, FileEnvelope envelope)
            throws IOException {
        this.stdout = stdout;
        this.file = file;
        this.appender = appender;
        this.how = appender.direct() ? "O_DIRECT" : "buffered";
        this.envelope = envelope;
        appender.start(file, STDOUT_PATH.toString(), start);
    }

    /** Whether descriptor 1 is a regular file (not a pipe, terminal, socket or device). */
    public static boolean stdoutIsRegularFile() {
        return Files.isRegularFile(STDOUT_PATH);
    }

    /**
     * @param directIo O_DIRECT wanted (the default); false for {@code --buffered-io}
     * @param report   where the one-line notice of a fallback to buffered writes goes
     */
    public static StdoutFileSink open(FileEnvelope envelope, boolean directIo, Consumer<String> report) throws IOException {
        FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        boolean append = appending();
        long start = append ? stdout.size() : stdout.position();
        int alignment = alignment();
        OpenFile file = OpenFile.buffered(stdout);
        if (directIo && start % alignment != 0) {
            report.accept("stdout is " + (append ? "appended to" : "written") + " at offset " + start
                    + ", not a multiple of " + alignment + ": writing it buffered, without O_DIRECT");
        } else if (directIo) {
            try {
                file = new OpenFile(stdout, OpenFile.openDirect(STDOUT_PATH, Libc.O_WRONLY, STDOUT_PATH));
            } catch (IOException e) {
                report.accept(Libc.errnoOf(e) == Libc.EINVAL
                        ? "the file system of stdout (" + fileSystemType() + ") does not support O_DIRECT: writing it buffered"
                        : "cannot open stdout's file again for O_DIRECT (" + e.getMessage() + "): writing it buffered");
            }
        }
        FileAppender appender = new FileAppender(file.direct(), alignment, e -> {
            throw e;
        }, report);
        return new StdoutFileSink(stdout, file, appender, start, envelope);
    }

    /** Whether descriptor 1 was opened with O_APPEND ({@code >>}): then writes start at the end. */
    private static boolean appending() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/1"))) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & O_APPEND) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Without /proc the descriptor's own offset is used.
        }
        return false;
    }

    private static int alignment() {
        try {
            return (int) Math.max(4096, Files.getFileStore(STDOUT_PATH).getBlockSize());
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    private static String fileSystemType() {
        try {
            return Files.getFileStore(STDOUT_PATH).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        writeHeader();
        appender.appendData(bytes, false);
    }

    private void writeHeader() throws IOException {
        if (headerPending) {
            headerPending = false;
            byte[] header = envelope.header();
            if (header.length > 0) {
                appender.appendHeader(ByteBuffer.wrap(header));
            }
        }
    }

    /** Waits for the O_DIRECT writes in flight and gives the file its real length (the writer idles, or the run ends). */
    @Override
    public void flush() throws IOException {
        appender.flush();
    }

    @Override
    public long bytesInFlight() {
        return appender.bytesInFlight();
    }

    @Override
    public long failedWriteProgress() {
        return appender.failedDataProgress();
    }

    @Override
    public boolean cutBackAfterFailure(long bytes) throws IOException {
        long end = appender.cutBackPoint(bytes);
        if (end < 0) {
            return false;
        }
        appender.cutTo(end);
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            if (!appender.failed()) {
                writeHeader(); // Even a run that captured nothing leaves a valid file.
                byte[] trailer = envelope.trailer();
                if (trailer.length > 0) {
                    appender.appendHeader(ByteBuffer.wrap(trailer));
                }
                appender.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (appender.direct()) { // no preallocated zeros after what reached the file: stdout has no recovery
                try {
                    appender.cutTo(appender.written());
                } catch (IOException | RuntimeException cut) {
                    e.addSuppressed(cut);
                }
            }
            throw e;
        } finally {
            appender.close();
            try (file) { // descriptor 1 too
                stdout.position(appender.length()); // A later command of the same redirection writes after the capture.
            }
        }
    }

    @Override
    public int preferredBlockSize(int byDefault) {
        return appender.direct() ? Math.max(byDefault, FileAppender.DIRECT_BLOCK_BYTES) : byDefault;
    }

    @Override
    public String describe() {
        return "stdout (a file, " + how + ")";
    }
}
