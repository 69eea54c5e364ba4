package gulp.output;

import gulp.format.FileEnvelope;
import gulp.linux.Libc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The {@code -o} file being written, {@code .NAME.part}: created {@code O_CREAT|O_EXCL|O_NOFOLLOW}
 * with {@code --file-mode} under the next free name, locked while written (a later start's
 * recovery sees it is in use), starting with the envelope's header and ending with its trailer
 * (pcapng interface statistics), appended through a
 * {@link FileAppender} (O_DIRECT with writes in flight and the size preallocated, or buffered), forced after every
 * write with {@code --fsync always}. A full disk goes to {@link DiskFull}. After a write failed
 * for good, {@link #handOver} cuts the file back to its last complete record.
 *
 * <p>One instance serves every file of a run, one at a time (the staging buffer is kept).
 * Writer thread only.
 */
final class PartFile {
    private final RotatingFileSink.Destination destination;
    private final FileEnvelope envelope;
    private final boolean opaque; // -c: no header, no records
    private final boolean fsyncEachWrite;
    private final DiskFull diskFull;
    private final Consumer<String> report;
    private final FileAppender appender;

    private OpenFile file; // null between files
    private Path partPath;
    private Path finalPath;
    private int started;
    private FileIndexHook index = FileIndexHook.NONE;
    private long expectedFileBytes; // files end before this size (-C, --rotate-size); 0: not known
    private long keepUpTo; // after a failed write: the file ends here at most (what the writer counted); -1: not told

    PartFile(RotatingFileSink.Destination destination, FileEnvelope envelope, FsyncPolicy fsync, boolean directIo,
             int alignment, DiskFull diskFull, Consumer<String> report) {
        this.destination = destination;
        this.envelope = envelope;
        this.opaque = envelope.header().length == 0;
        this.fsyncEachWrite = fsync == FsyncPolicy.ALWAYS;
        this.diskFull = diskFull;
        this.report = report;
        this.appender = new FileAppender(directIo, alignment, this::onWriteError, report);
    }

    /**
     * Whether files in {@code dir} can be opened with O_DIRECT (tmpfs before Linux 6.6, ramfs, many
     * FUSE and network file systems answer EINVAL); if not, says so in one line.
     */
    static boolean directIoWorks(Path dir, Consumer<String> report) throws IOException {
        Path probe = dir.resolve(".gulp-direct-io-probe." + ProcessHandle.current().pid());
        try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException e) {
            if (Libc.errnoOf(e) != Libc.EINVAL) {
                return true; // Not about O_DIRECT: creating the first file reports it properly.
            }
            report.accept("the file system of " + dir + " (" + Files.getFileStore(dir).type()
                    + ") does not support O_DIRECT: writing buffered through the page cache");
            return false;
        } finally {
            Files.deleteIfExists(probe); // An O_CREAT that O_DIRECT then refused leaves the file.
        }
    }

    /** Files are cut before they exceed {@code bytes} (0: no size limit): O_DIRECT preallocates no further. */
    void expectFilesOf(long bytes) {
        this.expectedFileBytes = bytes;
    }

    /** The extraction index kept beside each file (issue 13). */
    void indexWith(FileIndexHook hook) {
        this.index = hook;
    }

    boolean isOpen() {
        return file != null;
    }

    boolean direct() {
        return appender.direct();
    }

    /** Files created so far. */
    int started() {
        return started;
    }

    /** Whether a write failed for good (the last file's end is not trusted). */
    boolean failed() {
        return appender.failed();
    }

    /** The current file's length. */
    long length() {
        return appender.length();
    }

    /** Creates the next file, named after {@code nameTime}, and writes the file header into it. */
    void open(long nameTime) throws IOException {
        Path directory = destination.directory();
        FileNamer namer = destination.namer();
        while (true) {
            String name = namer.next(nameTime);
            Path part = directory.resolve(FileNamer.partName(name));
            Path target = directory.resolve(name);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue; // Never replace a file: take the next sequence number.
            }
            try {
                // O_CREAT|O_EXCL|O_NOFOLLOW, private until fchmod gives it --file-mode: nobody else
                // can open it meanwhile, and a planted symbolic link is never followed.
                file = SafeFiles.create(part, destination.fileMode(), report, appender.direct());
            } catch (FileAlreadyExistsException | SafeFiles.NotOursException e) {
                continue;
            } catch (NoSuchFileException e) {
                throw new OutputException("cannot create " + part + ": the output directory " + directory
                        + " does not exist any more");
            } catch (AccessDeniedException e) {
                throw new OutputException("cannot create files in the output directory " + directory
                        + ": permission denied");
            } catch (IOException e) {
                if (DiskFull.isOutOfSpace(e)) {
                    diskFull.makeRoom(e, part); // Even an empty file needs a little space (inode, directory block).
                    namer.reuseLast();
                    continue;
                }
                throw new OutputException("cannot create " + part + ": " + e.getMessage(), e);
            }
            partPath = part;
            finalPath = target;
            started++;
            break;
        }
        file.channel().tryLock(); // Tells a later start's recovery that this file is being written.
        appender.start(file, partPath.toString(), 0);
        appender.expectEnd(expectedFileBytes);
        keepUpTo = -1;
        byte[] header = envelope.header();
        if (header.length > 0) {
            appender.appendHeader(ByteBuffer.wrap(header));
        }
        index.fileStarted(partPath, finalPath, header.length);
    }

    /** Appends all of {@code bytes} (the writer's records) to the open file. */
    void write(ByteBuffer bytes) throws IOException {
        appender.appendData(bytes, fsyncEachWrite);
    }

    /**
     * Waits for the O_DIRECT writes in flight and gives the open file exactly its data (the partial
     * last block written, the padding and the preallocated tail cut off): the writer idles, or the
     * file ends.
     */
    void flush() throws IOException {
        if (file == null || appender.failed()) {
            return;
        }
        try {
            appender.flush();
        } catch (OutputException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputException("cannot write " + partPath + ": " + e.getMessage(), e);
        }
    }

    /** See {@link Sink#bytesInFlight()}. */
    long bytesInFlight() {
        return file == null ? 0 : appender.bytesInFlight();
    }

    /** See {@link Sink#failedWriteProgress()}. */
    long failedWriteProgress() {
        return appender.failedDataProgress();
    }

    /** Remembers where the failed file must end; {@link #handOver} cuts it there. See {@link Sink#cutBackAfterFailure}. */
    boolean cutBackAfterFailure(long bytes) {
        long end = file == null ? -1 : appender.cutBackPoint(bytes);
        if (end < 0) {
            return false; // The failure was in creating a file: nothing of the writer's bytes is in it.
        }
        keepUpTo = end;
        return true;
    }

    /**
     * Ends writing the open file: returns it for the {@link Finisher}, or null when it was deleted
     * because not even its file header could be written.
     */
    Finisher.Job handOver() throws IOException {
        if (file != null && !appender.failed()) {
            byte[] trailer = envelope.trailer();
            if (trailer.length > 0) {
                long records = appender.length();
                try {
                    appender.appendHeader(ByteBuffer.wrap(trailer));
                    appender.flush();
                } catch (IOException e) {
                    // The records are in the file: it ends after them, without its statistics.
                    keepUpTo = records;
                    report.accept("warning: cannot write the statistics at the end of " + partPath + ": " + e.getMessage());
                }
            }
        }
        flush();
        OpenFile finishing = file;
        file = null;
        long length = appender.failed() ? cutBackToLastRecord(finishing.channel()) : appender.length();
        if (length < 0) {
            try (finishing) {
                Files.deleteIfExists(partPath);
            }
            return null;
        }
        index.fileEnded(length);
        return new Finisher.Job(finishing, partPath, finalPath, length);
    }

    /**
     * After a write failed for good, the file's end is unknown: keep only whole records, at most
     * what the writer counted (it moved that to the last record boundary the failed write reached).
     * Returns the file's length, or -1 when it does not even hold a whole file header.
     */
    private long cutBackToLastRecord(FileChannel plain) throws IOException {
        // The file's own channel, never O_DIRECT (that is the separate descriptor the writes used:
        // none is in flight after a failure), so it reads into any buffer; the lock stays held.
        long end = keepUpTo >= 0 ? keepUpTo : Math.max(0, appender.cutBackPoint(0)); // not told: where the failed call began
        if (plain.size() > end) {
            plain.truncate(end);
        }
        if (opaque) {
            return plain.size(); // A -c copy has no records: the writer's count is the end.
        }
        long complete = PartFileRecovery.completeLength(plain);
        if (complete >= 0 && complete < plain.size()) {
            plain.truncate(complete);
        }
        return complete;
    }

    /** After the last file: ends the appender's helper thread. */
    void close() {
        appender.close();
    }

    /** A failed write: on a full disk make room (or wait) and let the appender write again; else fail the file. */
    private void onWriteError(IOException e) throws IOException {
        if (!DiskFull.isOutOfSpace(e)) {
            throw e instanceof OutputException ? e : new OutputException("cannot write " + partPath + ": " + e.getMessage(), e);
        }
        diskFull.makeRoom(e, partPath);
    }
}
