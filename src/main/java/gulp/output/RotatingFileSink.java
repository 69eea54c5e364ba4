package gulp.output;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;

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
 * <p>Disk full (ENOSPC, EDQUOT): the file is cut back to where the failed write began, the oldest
 * finished file of this run is deleted if a retention option is set, otherwise the write is
 * retried every second while the ring holds what arrives; when the run is asked to stop while
 * the disk is still full, the write fails and the file is cut back to its last complete record.
 *
 * <p>Writer thread only.
 */
public final class RotatingFileSink implements Sink {
    private static final long SPACE_RETRY_MILLIS = 1000;
    private static final long FREE_SPACE_CHECK_BYTES = 16L << 20;
    private static final int STAGING_BYTES = 4 << 20;

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
    private long length;            // bytes of the current file written (all on disk: direct I/O writes its staging too)
    private long lengthAtCallStart; // length when the current write() began: what the writer already counted
    private long bytesSinceSpaceCheck;
    private boolean failed;        // a write failed for good: the file's end is not trusted
    private boolean closed;

    // --direct-io: whole aligned blocks from this buffer; it always starts at an aligned file offset.
    private final boolean nanosecondRecords;
    private final int alignment;
    private final ByteBuffer staging;
    private long stagingFileOffset;

    private AutoCloseable heldLock;

    private long noSpaceSince = -1;
    private int noSpaceEpisodes;

    private RotatingFileSink(Settings settings, int alignment) {
        this.settings = settings;
        this.directory = settings.directory();
        this.alignment = alignment;
        this.runFiles = new RunFiles(settings.postRotate(), settings.report());
        byte[] header = settings.fileHeader();
        this.nanosecondRecords = header.length >= PcapFileHeader.LENGTH
                && ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(PcapFileHeader.MAGIC_OFFSET)
                        == PcapFileHeader.MAGIC_NANOS;
        this.staging = settings.directIo()
                ? ByteBuffer.allocateDirect(STAGING_BYTES + alignment).alignedSlice(alignment).slice(0, STAGING_BYTES)
                : null;
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
        try {
            PartFileRecovery.recoverAll(dir, settings.namer(), settings.report());
            if (settings.directIo()) {
                alignment = (int) Math.max(4096, Files.getFileStore(dir).getBlockSize());
            }
            List<String> names = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(p -> names.add(p.getFileName().toString()));
            }
            settings.namer().continueAfter(names, settings.report());
        } catch (IOException e) {
            throw new OutputException("cannot use the output directory " + dir + ": " + e.getMessage(), e);
        }
        return new RotatingFileSink(settings, alignment);
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (channel == null) {
            openNextFile(nameTime(bytes));
        }
        lengthAtCallStart = length;
        int count = bytes.remaining();
        try {
            if (staging != null) {
                writeDirect(bytes);
            } else {
                writeFullyAt(bytes, length);
                length += count;
            }
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        bytesSinceSpaceCheck += count;
        enforceTotalBudget(channel == null ? 0 : length);
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

    /** Gives a {@code --direct-io} file its real length (called when the writer idles). */
    @Override
    public void flush() throws IOException {
        if (channel != null && staging != null) {
            trimPadding();
        }
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
        return "files " + directory.resolve(settings.namer().format(0, 0).replaceAll("\\d", "N"));
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
            long seconds = le.getInt(at + PcapRecordHeader.TS_SECONDS_OFFSET) & 0xFFFFFFFFL;
            long fraction = le.getInt(at + PcapRecordHeader.TS_FRACTION_OFFSET) & 0xFFFFFFFFL;
            return seconds * 1_000_000_000L + (nanosecondRecords ? fraction : fraction * 1000);
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
                channel = staging != null
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
        length = 0;
        stagingFileOffset = 0;
        if (staging != null) {
            staging.clear();
        }
        ByteBuffer header = ByteBuffer.wrap(settings.fileHeader());
        if (header.hasRemaining()) {
            write(header);
        }
    }

    /**
     * Hands the current file to the finisher thread: forcing a file of a gigabyte to disk can take
     * seconds, during which the writer must keep emptying the ring into the next file.
     */
    private void finishCurrentFile() throws IOException {
        if (staging != null && !failed) {
            trimPadding();
        }
        FileChannel finishing = channel;
        channel = null;
        if (failed && !cutBackToLastRecord()) {
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
     * After a write failed for good, the file's end is unknown: keep only whole records.
     * Returns false when the file does not even hold a whole file header.
     */
    private boolean cutBackToLastRecord() throws IOException {
        // A separate channel: reads through an O_DIRECT one would need aligned buffers.
        try (FileChannel plain = FileChannel.open(partPath, StandardOpenOption.READ, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (plain.size() > lengthAtCallStart) {
                plain.truncate(lengthAtCallStart); // Only what the writer counted: the failed write was not.
            }
            long complete = PartFileRecovery.completeLength(plain);
            if (complete >= 0 && complete < plain.size()) {
                plain.truncate(complete);
            }
            length = Math.max(0, complete);
            return complete >= 0;
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

    /**
     * Copies into the aligned staging buffer and writes everything staged: whole blocks, and the
     * partial last block padded with zeros (which recovery after a crash recognises as no record).
     * So every byte the writer counts is on disk when this returns; the padding is cut off when
     * the writer idles and when the file is finished, and the next write rewrites that block.
     */
    private void writeDirect(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            int n = Math.min(bytes.remaining(), staging.remaining());
            staging.put(staging.position(), bytes, bytes.position(), n);
            staging.position(staging.position() + n);
            bytes.position(bytes.position() + n);
            length += n;
            if (!staging.hasRemaining()) {
                writeFullyAt(staging.duplicate().flip(), stagingFileOffset);
                stagingFileOffset += staging.capacity();
                staging.clear();
            }
        }
        int used = staging.position();
        if (used > 0) {
            int padded = (int) alignUp(used);
            for (int i = used; i < padded; i++) {
                staging.put(i, (byte) 0);
            }
            writeFullyAt(staging.duplicate().position(0).limit(padded), stagingFileOffset);
            keepTail(used - used % alignment, used);
        }
    }

    /** Cuts off the zero padding of {@code --direct-io}'s last block: the file gets its real length. */
    private void trimPadding() throws IOException {
        long real = stagingFileOffset + staging.position();
        if (real % alignment != 0) {
            truncate(real);
        }
    }

    /** Moves the staged bytes after {@code whole} (written) to the start of the staging buffer. */
    private void keepTail(int whole, int used) {
        if (whole > 0) {
            staging.put(0, staging, whole, used - whole);
            staging.position(used - whole);
            stagingFileOffset += whole;
        }
    }

    private long alignUp(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /**
     * Writes all of {@code bytes} at {@code position}. When the disk is full: cut the file back to
     * {@code position} (nothing written before is touched), free space or wait, and write again.
     */
    private void writeFullyAt(ByteBuffer bytes, long position) throws IOException {
        int start = bytes.position();
        while (true) {
            try {
                long at = position;
                while (bytes.hasRemaining()) {
                    at += channel.write(bytes, at);
                }
                if (noSpaceSince >= 0) {
                    settings.report().accept("writing " + directory + " again after "
                            + (System.nanoTime() - noSpaceSince) / 1_000_000_000L + " s without space");
                    noSpaceSince = -1;
                }
                return;
            } catch (IOException e) {
                if (!isOutOfSpace(e)) {
                    throw new OutputException("cannot write " + partPath + ": " + e.getMessage(), e);
                }
                // Keep what was written before (at most a rewritten direct-I/O block lies beyond
                // position, holding the same bytes); drop the part of this write that made it.
                truncate(Math.max(position, lengthAtCallStart));
                bytes.position(start);
                makeRoom(e, partPath);
            }
        }
    }

    private void truncate(long size) throws IOException {
        try {
            channel.truncate(size);
        } catch (IOException e) {
            throw new OutputException("cannot cut " + partPath + " back to " + size + " bytes: " + e.getMessage(), e);
        }
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
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded");
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
