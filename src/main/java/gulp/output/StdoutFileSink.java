package gulp.output;

import gulp.linux.Libc;
import gulp.linux.NativeException;

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
 * written with O_DIRECT, switched on for descriptor 1 with {@code fcntl(F_SETFL)}, unless
 * {@code --buffered-io} asks otherwise, the file system refuses it (EINVAL) or the descriptor
 * stands at an offset that is not a multiple of the block size (an unaligned {@code >>}); each
 * of those is said in one line and the file is written buffered.
 *
 * <p>The bytes go at explicit offsets from where the descriptor stood (the end of the file for
 * {@code >>}: O_APPEND is switched off while gulp writes, since it would send the rewrite of
 * O_DIRECT's padded last block to the end). At close the file has exactly the bytes written, the
 * descriptor gets its flags back and its offset moves to the end, so a command after gulp in the
 * same redirection appends after the capture. A write that fails part-way (disk full,
 * {@code ulimit -f}) leaves the file ending on the last complete record.
 *
 * <p>Writer thread only (and the main thread before the run).
 */
public final class StdoutFileSink implements Sink {
    private static final int STDOUT = 1;
    private static final Path STDOUT_PATH = Path.of("/proc/self/fd/1");

    private final FileChannel channel;
    private final FileAppender appender;
    private final int originalFlags;
    private final String how;
    private final ByteBuffer header;
    private boolean headerPending;
    private long lengthAtCallStart;
    private long failedCallProgress;
    private boolean failedInData;
    private boolean failed;

    private StdoutFileSink(FileChannel channel, FileAppender appender, long start, int originalFlags, String how,
                           byte[] fileHeader) {
        this.channel = channel;
        this.appender = appender;
        this.originalFlags = originalFlags;
        this.how = how;
        this.header = ByteBuffer.wrap(fileHeader);
        this.headerPending = fileHeader.length > 0;
        appender.start(channel, start);
    }

    /** Whether descriptor 1 is a regular file (not a pipe, terminal, socket or device). */
    public static boolean stdoutIsRegularFile() {
        return Files.isRegularFile(STDOUT_PATH);
    }

    /**
     * @param directIo O_DIRECT wanted (the default); false for {@code --buffered-io}
     * @param report   where the one-line notice of a fallback to buffered writes goes
     */
    public static StdoutFileSink open(byte[] fileHeader, boolean directIo, Consumer<String> report) throws IOException {
        FileChannel channel = new FileOutputStream(FileDescriptor.out).getChannel();
        Libc libc = Libc.current();
        try {
            int flags = libc.fileStatusFlags(STDOUT);
            boolean append = (flags & Libc.O_APPEND) != 0;
            long start = append ? channel.size() : channel.position();
            int alignment = alignment();
            int positional = flags & ~Libc.O_APPEND & ~Libc.O_DIRECT;
            boolean direct = false;
            if (directIo && start % alignment != 0) {
                report.accept("stdout is " + (append ? "appended to" : "written") + " at offset " + start
                        + ", not a multiple of " + alignment + ": writing it buffered, without O_DIRECT");
            } else if (directIo) {
                try {
                    libc.setFileStatusFlags(STDOUT, positional | Libc.O_DIRECT);
                    direct = true;
                } catch (NativeException e) {
                    report.accept("the file system of stdout (" + fileSystemType() + ") does not support O_DIRECT ("
                            + e.getMessage() + "): writing it buffered");
                }
            }
            if (!direct) {
                libc.setFileStatusFlags(STDOUT, positional);
            }
            FileAppender appender = new FileAppender(direct, alignment, e -> {
                throw e;
            });
            return new StdoutFileSink(channel, appender, start, flags, direct ? "O_DIRECT" : "buffered", fileHeader);
        } catch (NativeException e) {
            throw new OutputException("cannot set up stdout: " + e.getMessage());
        }
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
        lengthAtCallStart = appender.length();
        try {
            appender.append(bytes);
        } catch (IOException | RuntimeException e) {
            failed = true;
            failedInData = true;
            failedCallProgress = Math.max(0, appender.written() - lengthAtCallStart);
            throw e;
        }
    }

    private void writeHeader() throws IOException {
        if (headerPending) {
            headerPending = false;
            try {
                appender.append(header);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** Gives the file its real length while the writer idles (O_DIRECT pads the last block). */
    @Override
    public void flush() throws IOException {
        if (!failed) {
            appender.trimPadding();
        }
    }

    @Override
    public long failedWriteProgress() {
        return failedInData ? failedCallProgress : 0;
    }

    @Override
    public boolean cutBackAfterFailure(long bytes) throws IOException {
        if (!failedInData) {
            return false;
        }
        appender.cutTo(Math.max(0, lengthAtCallStart + bytes));
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            if (!failed) {
                writeHeader(); // Even a run that captured nothing leaves a valid file.
                appender.trimPadding();
            }
        } finally {
            try {
                Libc.current().setFileStatusFlags(STDOUT, originalFlags);
                channel.position(appender.length());
            } catch (NativeException | IOException ignored) {
                // The capture is complete; only a later command in the same redirection would notice.
            }
            channel.close();
        }
    }

    @Override
    public String describe() {
        return "stdout (a file, " + how + ")";
    }
}
