package gulp.output;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.format.Timestamps;
import gulp.linux.Libc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code -o DIR}: a sequence of pcap files. Each file is written under a hidden temporary name
 * ({@code .NAME.part}, locked while written) and renamed when complete; only complete files go to
 * {@code -Z} and count for retention. The next file is opened at its first write, so idle time
 * leaves no empty files (a run that captures nothing still leaves one file with the header).
 *
 * <p>Files are written with O_DIRECT unless {@code --buffered-io} asks otherwise or the file
 * system refuses it (said in one line at start); see {@link FileAppender}.
 *
 * <p>Disk full (ENOSPC, EDQUOT): what the failed write got onto the disk stays, the oldest
 * finished file of this run is deleted if a retention option is set, otherwise the write is
 * retried every second while the ring holds what arrives; when the run is asked to stop while
 * the disk is still full, the write fails and the file keeps every complete record that reached
 * it (the writer tells {@link #cutBackAfterFailure} where the last one ends).
 *
 * <p>Writer thread only.
 */
public final class RotatingFileSink implements Sink {
    private static final long SPACE_RETRY_MILLIS = 1000;
    private static final long FREE_SPACE_CHECK_BYTES = 16L << 20;

    /** Everything a sink needs; {@code null}/0 means the feature is off. */
    public record Settings(Path directory, FileNamer namer, byte[] fileHeader, int fileMode, FsyncPolicy fsync,
                           boolean directIo, long maxFiles, long maxTotalBytes, long minFreeBytes,
                           double minFreeFraction, PostRotateCommand postRotate, BooleanSupplier giveUp,
                           Consumer<String> report, LongSupplier wallClockNanos, boolean namesByPacketTime) {
        boolean retention() {
            return maxFiles > 0 || maxTotalBytes > 0 || minFreeBytes > 0 || minFreeFraction > 0;
        }
    }

    private final Settings settings;
    private final Path directory;
    private final RunFiles runFiles;
    private final Finisher finisher = new Finisher();
    private int filesStarted;

    private FileChannel channel;   // null between files
    private Path partPath;
    private Path finalPath;
    private final FileAppender appender; // the current file's write path (O_DIRECT or buffered)
    private long lengthAtCallStart; // length when the current write() began: what the writer already counted
    private long failedCallProgress; // bytes of the failed write() call that reached the file
    private boolean failedInData;    // the failure was in a write() of the writer's bytes (not a header)
    private long bytesSinceSpaceCheck;
    private boolean failed;        // a write failed for good: the file's end is not trusted
    private boolean closed;

    private final boolean nanosecondRecords;

    private AutoCloseable heldLock;

    private long noSpaceSince = -1;
    private int noSpaceEpisodes;

    private RotatingFileSink(Settings settings, boolean directIo, int alignment) {
        this.settings = settings;
        this.directory = settings.directory();
        this.runFiles = new RunFiles(settings.postRotate(), settings.report());
        byte[] header = settings.fileHeader();
        this.nanosecondRecords = header.length >= PcapFileHeader.LENGTH
                && ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(PcapFileHeader.MAGIC_OFFSET)
                        == PcapFileHeader.MAGIC_NANOS;
        this.appender = new FileAppender(directIo, alignment, this::onWriteError);
    }

    /**
     * Checks the directory, repairs leftovers of a killed run, and continues the numbering.
     *
     * @throws OutputException naming the directory when it cannot be used
     */
    public static RotatingFileSink open(Settings settings) throws OutputException {
        Path dir = settings.directory();
        if (!Files.isDirectory(dir)) {
            throw new OutputException("output directory " + dir + " does not exist (or is not a directory)");
        }
        if (!Files.isWritable(dir)) {
            throw new OutputException("cannot create files in the output directory " + dir + ": permission denied");
        }
        SafeFiles.warnIfOthersCanWrite(dir, settings.report());
        int alignment = 4096;
        boolean directIo = settings.directIo();
        try {
            PartFileRecovery.recoverAll(dir, settings.namer(), settings.report());
            if (directIo) {
                alignment = (int) Math.max(4096, Files.getFileStore(dir).getBlockSize());
                directIo = directIoWorks(dir, settings.report());
            }
            List<String> names = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(p -> names.add(p.getFileName().toString()));
            }
            settings.namer().continueAfter(names, settings.report());
        } catch (IOException e) {
            throw new OutputException("cannot use the output directory " + dir + ": " + e.getMessage(), e);
        }
        return new RotatingFileSink(settings, directIo, alignment);
    }

    /**
     * Whether files in {@code dir} can be opened with O_DIRECT (tmpfs before Linux 6.6, ramfs, many
     * FUSE and network file systems answer EINVAL); if not, says so in one line.
     */
    private static boolean directIoWorks(Path dir, Consumer<String> report) throws IOException {
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

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (channel == null) {
            openNextFile(nameTime(bytes));
        }
        lengthAtCallStart = appender.length();
        int count = bytes.remaining();
        try {
            appender.append(bytes);
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            failedInData = true;
            failedCallProgress = Math.max(0, appender.written() - lengthAtCallStart);
            throw e;
        }
        if (noSpaceSince >= 0) {
            settings.report().accept("writing " + directory + " again after "
                    + (System.nanoTime() - noSpaceSince) / Timestamps.NANOS_PER_SECOND + " s without space");
            noSpaceSince = -1;
        }
        bytesSinceSpaceCheck += count;
        enforceTotalBudget(channel == null ? 0 : appender.length());
        if (bytesSinceSpaceCheck >= FREE_SPACE_CHECK_BYTES) {
            bytesSinceSpaceCheck = 0;
            enforceFreeSpace();
        }
    }

    @Override
    public void rotate() throws IOException {
        finisher.rethrow();
        if (channel != null) {
            finishCurrentFile();
        }
    }

    /** Gives an O_DIRECT file its real length (called when the writer idles). */
    @Override
    public void flush() throws IOException {
        if (channel != null && !failed) {
            trimPadding();
        }
    }

    @Override
    public long failedWriteProgress() {
        return failedInData ? failedCallProgress : 0;
    }

    /** Remembers where the failed file must end; {@link #cutBackToLastRecord} cuts it there when it is finished. */
    @Override
    public boolean cutBackAfterFailure(long bytes) {
        if (channel == null || !failedInData) {
            return false; // The failure was in creating a file: nothing of the writer's bytes is in it.
        }
        lengthAtCallStart = Math.max(0, lengthAtCallStart + bytes);
        return true;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (channel == null && filesStarted == 0 && !failed) {
                openNextFile(settings.wallClockNanos().getAsLong()); // A run that captured nothing still leaves a valid (empty) pcap file.
            }
            if (channel != null) {
                finishCurrentFile();
            }
            finisher.awaitAll();
        } finally {
            if (heldLock != null) {
                try {
                    heldLock.close();
                } catch (Exception ignored) {
                    // Released by the kernel at exit anyway.
                }
            }
            if (settings.postRotate() != null) {
                try {
                    settings.postRotate().awaitAll();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Keeps {@code lock} (the {@link OutputLock}) held, and reachable, until this sink is closed. */
    public void holdUntilClosed(AutoCloseable lock) {
        this.heldLock = lock;
    }

    @Override
    public String describe() {
        return "files " + directory.resolve(settings.namer().format(0, 0).replaceAll("\\d", "N"))
                + (appender.direct() ? " (O_DIRECT)" : " (buffered)");
    }

    @Override
    public int noSpaceEpisodes() {
        return noSpaceEpisodes;
    }

    // ---- files ----

    /**
     * The time a new file is named after: now, or with {@code --rotate-by-packet-time} the
     * timestamp of its first record (the writer starts every file's bytes with a whole record).
     */
    private long nameTime(ByteBuffer firstBytes) {
        int at = firstBytes.position();
        if (settings.namesByPacketTime() && firstBytes.remaining() >= PcapRecordHeader.TS_FRACTION_OFFSET + 4) {
            ByteBuffer le = firstBytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int seconds = le.getInt(at + PcapRecordHeader.TS_SECONDS_OFFSET);
            int fraction = le.getInt(at + PcapRecordHeader.TS_FRACTION_OFFSET);
            return PcapRecordHeader.timestampNanos(seconds, fraction, nanosecondRecords);
        }
        return settings.wallClockNanos().getAsLong();
    }

    private void openNextFile(long nameTime) throws IOException {
        enforceFileCount(1);
        enforceFreeSpace();
        while (true) {
            String name = settings.namer().next(nameTime);
            Path part = directory.resolve(FileNamer.partName(name));
            Path target = directory.resolve(name);
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue; // Never replace a file: take the next sequence number.
            }
            try {
                // O_CREAT|O_EXCL|O_NOFOLLOW, private until fchmod gives it --file-mode: nobody else
                // can open it meanwhile, and a planted symbolic link is never followed.
                channel = appender.direct()
                        ? SafeFiles.createNew(part, settings.fileMode(), settings.report(), com.sun.nio.file.ExtendedOpenOption.DIRECT)
                        : SafeFiles.createNew(part, settings.fileMode(), settings.report());
            } catch (FileAlreadyExistsException | SafeFiles.NotOursException e) {
                continue;
            } catch (NoSuchFileException e) {
                throw new OutputException("cannot create " + part + ": the output directory " + directory
                        + " does not exist any more");
            } catch (AccessDeniedException e) {
                throw new OutputException("cannot create files in the output directory " + directory
                        + ": permission denied");
            } catch (IOException e) {
                if (isOutOfSpace(e)) {
                    makeRoom(e, part); // Even an empty file needs a little space (inode, directory block).
                    settings.namer().reuseLast();
                    continue;
                }
                throw new OutputException("cannot create " + part + ": " + e.getMessage(), e);
            }
            partPath = part;
            finalPath = target;
            filesStarted++;
            break;
        }
        channel.tryLock(); // Tells a later start's recovery that this file is being written.
        appender.start(channel, 0);
        lengthAtCallStart = 0;
        failedInData = false;
        ByteBuffer header = ByteBuffer.wrap(settings.fileHeader());
        if (header.hasRemaining()) {
            try {
                appender.append(header);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }
    }

    /**
     * Hands the current file to the finisher thread: forcing a file of a gigabyte to disk can take
     * seconds, during which the writer must keep emptying the ring into the next file.
     */
    private void finishCurrentFile() throws IOException {
        if (!failed) {
            trimPadding();
        }
        FileChannel finishing = channel;
        channel = null;
        long length = failed ? cutBackToLastRecord() : appender.length();
        if (length < 0) {
            try (finishing) {
                Files.deleteIfExists(partPath); // Not even the file header could be written.
            }
            return;
        }
        finisher.finish(new Job(finishing, partPath, finalPath, length));
    }

    /** A file to force, close and rename; then to hand to retention and {@code -Z}. */
    private record Job(FileChannel channel, Path part, Path target, long length) {
    }

    /**
     * The finisher thread: finishes files in the order they were written. Its first error stops the
     * run at the writer's next rotation or at close, with the message naming the file.
     */
    private final class Finisher {
        private final java.util.concurrent.BlockingQueue<Job> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Thread thread;
        private volatile OutputException error;

        Finisher() {
            thread = Thread.ofPlatform().daemon().name("gulp-finisher").unstarted(this::run);
        }

        synchronized void finish(Job job) throws OutputException {
            rethrow();
            if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
                thread.start();
            }
            runFiles.handedOver(job.length()); // counted before the finisher can take it
            queue.add(job);
        }

        void rethrow() throws OutputException {
            if (error != null) {
                throw error;
            }
        }

        /** Waits until every handed file is finished; rethrows the first error. */
        void awaitAll() throws OutputException {
            runFiles.awaitNoneInFlight();
            rethrow();
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
                    settings.report().accept(e.getMessage());
                    runFiles.abandoned(job.length());
                }
            }
        }

        private void complete(Job job) throws OutputException {
            try (FileChannel c = job.channel()) {
                if (settings.fsync() != FsyncPolicy.NEVER) {
                    c.force(true);
                }
            } catch (IOException e) {
                throw new OutputException("cannot finish " + job.part() + ": " + e.getMessage(), e);
            }
            try {
                Files.move(job.part(), job.target(), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                throw new OutputException("cannot rename " + job.part() + " to " + job.target().getFileName()
                        + ": the output directory " + directory + " does not exist any more");
            } catch (IOException e) {
                throw new OutputException("cannot rename " + job.part() + " to " + job.target().getFileName() + ": " + e, e);
            }
            if (settings.fsync() != FsyncPolicy.NEVER) {
                forceDirectory();
            }
            if (settings.postRotate() != null) {
                // Queued before retention can see the file, so that deleting it also withdraws it.
                settings.postRotate().submit(job.target());
            }
            runFiles.finished(job.target(), job.length());
            enforceTotalBudget(0);
            enforceFileCount(0);
        }
    }

    /**
     * After a write failed for good, the file's end is unknown: keep only whole records, at most
     * what the writer counted (it moved that to the last record boundary the failed write reached).
     * Returns the file's length, or -1 when it does not even hold a whole file header.
     */
    private long cutBackToLastRecord() throws IOException {
        // A separate channel: reads through an O_DIRECT one would need aligned buffers.
        try (FileChannel plain = FileChannel.open(partPath, StandardOpenOption.READ, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (plain.size() > lengthAtCallStart) {
                plain.truncate(lengthAtCallStart);
            }
            if (settings.fileHeader().length == 0) {
                return plain.size(); // A -c copy has no records: the writer's count is the end.
            }
            long complete = PartFileRecovery.completeLength(plain);
            if (complete >= 0 && complete < plain.size()) {
                plain.truncate(complete);
            }
            return complete;
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot sync a directory; the rename is then as durable as they make it.
        }
    }

    // ---- writing ----

    /** Cuts off O_DIRECT's zero padding: the file gets its real length. */
    private void trimPadding() throws IOException {
        try {
            appender.trimPadding();
        } catch (IOException e) {
            throw new OutputException("cannot cut " + partPath + " back to " + appender.length() + " bytes: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A write failed: on a full disk make room (or wait) and let the appender write again from what
     * reached the disk; anything else fails the file.
     */
    private void onWriteError(IOException e) throws IOException {
        if (!isOutOfSpace(e)) {
            throw e instanceof OutputException ? e : new OutputException("cannot write " + partPath + ": " + e.getMessage(), e);
        }
        makeRoom(e, partPath);
    }

    /** Deletes this run's oldest file if retention allows, else waits a second; fails when told to stop. */
    private void makeRoom(IOException cause, Path file) throws IOException {
        if (noSpaceSince < 0) {
            noSpaceSince = System.nanoTime();
            noSpaceEpisodes++;
            settings.report().accept(cause.getMessage() + " writing " + file + (settings.retention() && runFiles.finishedCount() > 0
                    ? "; deleting this run's oldest files to make room"
                    : "; retrying every second, the ring buffer holds what arrives meanwhile"));
        }
        if (settings.retention() && runFiles.deleteOldest()) {
            return;
        }
        if (settings.giveUp().getAsBoolean()) {
            throw new OutputException(cause.getMessage() + " writing " + file
                    + "; gave up at the end of the run with data still in the ring");
        }
        try {
            Thread.sleep(SPACE_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutputException("interrupted while waiting for space in " + directory);
        }
    }

    static boolean isOutOfSpace(IOException e) {
        return e instanceof OutOfSpaceException;
    }

    // ---- retention: only this run's finished files are ever deleted ----

    /** Keeps this run's files, with {@code extra} more, within {@code -W}. */
    private void enforceFileCount(int extra) {
        if (settings.maxFiles() > 0) {
            runFiles.keepCountWithin(settings.maxFiles(), extra);
        }
    }

    /** Called by the writer with the current file's length, by the finisher with 0. */
    private void enforceTotalBudget(long currentFileBytes) {
        if (settings.maxTotalBytes() > 0) {
            runFiles.keepBytesWithin(settings.maxTotalBytes(), currentFileBytes);
        }
    }

    private void enforceFreeSpace() {
        if (settings.minFreeBytes() <= 0 && settings.minFreeFraction() <= 0) {
            return;
        }
        try {
            var store = Files.getFileStore(directory);
            long wanted = Math.max(settings.minFreeBytes(), (long) (settings.minFreeFraction() * store.getTotalSpace()));
            while (store.getUsableSpace() < wanted && runFiles.deleteOldest()) {
                // Deleted one.
            }
        } catch (IOException e) {
            // The next write reports a real problem with the directory.
        }
    }
}
