package gulp.output;

import gulp.format.FileEnvelope;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code -o DIR}: a sequence of pcap files, and the coordinator of the parts that write them, as
 * Wireshark keeps {@code pcapio.c}, {@code ringbuffer.c} and {@code dumpcap.c} apart:
 * <ul>
 * <li>{@link PartFile}: the file being written ({@code .NAME.part}: mode, lock, header, O_DIRECT
 *     staging, cut-back after a failed write);
 * <li>{@link Finisher}: its own thread forces, closes and renames finished files, syncs the
 *     directory and hands them to {@code -Z};
 * <li>{@link RunFiles}: retention, the run's finished and in-flight files under one lock;
 * <li>{@link DiskFull}: deleting or waiting when the disk is full.
 * </ul>
 * Only complete files go to {@code -Z} and count for retention. A file is created just before its
 * first bytes ({@link #startFile}, named after the time the writer passes), so idle time leaves no
 * empty files (a run that captures nothing still leaves one file with the header).
 *
 * <p>Its methods are called by the writer thread ({@link #open} and {@link #holdUntilClosed} by
 * the main thread before the run starts); the finisher thread shares only {@link RunFiles}
 * (locked) and the {@link Finisher}'s queue.
 */
public final class RotatingFileSink implements Sink {
    private static final long FREE_SPACE_CHECK_BYTES = 16L << 20;

    /**
     * Everything a sink needs.
     *
     * @param envelope   what every file starts and ends with (an empty header for {@code -c})
     * @param postRotate {@code -Z}, or null
     * @param giveUp     true once the run is over: a full disk then fails the write instead of waiting
     */
    public record Settings(Destination destination, FileEnvelope envelope, Durability durability, Retention retention,
                           PostRotateCommand postRotate, BooleanSupplier giveUp, Consumer<String> report) {
    }

    /** Where files are created, under which names, with which permission bits ({@code --file-mode}). */
    public record Destination(Path directory, FileNamer namer, int fileMode) {
    }

    /** How bytes reach the disk: {@code --fsync}, and O_DIRECT unless {@code --buffered-io}. */
    public record Durability(FsyncPolicy fsync, boolean directIo) {
    }

    /** {@code -W}, {@code --max-total}, {@code --min-free} (bytes or a fraction of the file system); 0: off. */
    public record Retention(long maxFiles, long maxTotalBytes, long minFreeBytes, double minFreeFraction) {
        public static final Retention NONE = new Retention(0, 0, 0, 0);

        boolean active() {
            return maxFiles > 0 || maxTotalBytes > 0 || minFreeBytes > 0 || minFreeFraction > 0;
        }
    }

    private final Path directory;
    private final FileNamer namer;
    private final RunFiles runFiles;
    private final DiskFull diskFull;
    private final PartFile file;
    private final Finisher finisher;
    private FileListener listener;
    private FileIndexHook index = FileIndexHook.NONE; // closed at the run's end, after the finisher's last file
    private long bytesSinceSpaceCheck;
    private boolean closed;
    private AutoCloseable heldLock;

    private RotatingFileSink(Settings settings, boolean directIo, int alignment) {
        Destination destination = settings.destination();
        this.directory = destination.directory();
        this.namer = destination.namer();
        this.runFiles = new RunFiles(settings.retention(), directory, settings.postRotate(), settings.report());
        this.diskFull = new DiskFull(runFiles, settings.giveUp(), settings.report(), directory);
        this.file = new PartFile(destination, settings.envelope(), settings.durability().fsync(), directIo, alignment,
                diskFull, settings.report());
        this.finisher = new Finisher(settings.durability().fsync(), directory, settings.postRotate(), runFiles,
                settings.report());
    }

    /**
     * Checks the directory, repairs leftovers of a killed run, and continues the numbering.
     *
     * @throws OutputException naming the directory when it cannot be used
     */
    public static RotatingFileSink open(Settings settings) throws OutputException {
        Path dir = settings.destination().directory();
        Consumer<String> report = settings.report();
        if (!Files.isDirectory(dir)) {
            throw new OutputException("output directory " + dir + " does not exist (or is not a directory)");
        }
        if (!Files.isWritable(dir)) {
            throw new OutputException("cannot create files in the output directory " + dir + ": permission denied");
        }
        SafeFiles.warnIfOthersCanWrite(dir, report);
        int alignment = 4096;
        boolean directIo = settings.durability().directIo();
        try {
            PartFileRecovery.recoverAll(dir, settings.destination().namer(), report);
            if (directIo) {
                alignment = (int) Math.max(4096, Files.getFileStore(dir).getBlockSize());
                directIo = PartFile.directIoWorks(dir, report);
            }
            List<String> names = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(p -> names.add(p.getFileName().toString()));
            }
            settings.destination().namer().continueAfter(names, report);
        } catch (IOException e) {
            throw new OutputException("cannot use the output directory " + dir + ": " + e.getMessage(), e);
        }
        return new RotatingFileSink(settings, directIo, alignment);
    }

    /** Creates the next file, named after {@code nameTimeNanos}, unless one is open. */
    @Override
    public void startFile(long nameTimeNanos) throws IOException {
        if (!file.isOpen()) {
            runFiles.makeRoomForNextFile();
            file.open(nameTimeNanos);
        }
    }

    /** Writes into the open file; without {@link #startFile} first, a new file is named after now. */
    @Override
    public void write(ByteBuffer bytes) throws IOException {
        if (!file.isOpen()) {
            startFile(FileRotationPolicy.systemWallClockNanos());
        }
        int count = bytes.remaining();
        file.write(bytes);
        diskFull.wroteAgain();
        runFiles.keepBytesWithin(file.length());
        bytesSinceSpaceCheck += count;
        if (bytesSinceSpaceCheck >= FREE_SPACE_CHECK_BYTES) {
            bytesSinceSpaceCheck = 0;
            runFiles.keepFreeSpace();
        }
    }

    @Override
    public void rotate() throws IOException {
        finisher.rethrow();
        if (file.isOpen()) {
            handOver();
        }
    }

    /** Waits for an O_DIRECT file's writes in flight and gives it its real length (the writer idles, or a file ends). */
    @Override
    public void flush() throws IOException {
        file.flush();
    }

    @Override
    public long bytesInFlight() {
        return file.bytesInFlight();
    }

    @Override
    public long failedWriteProgress() {
        return file.failedWriteProgress();
    }

    @Override
    public boolean cutBackAfterFailure(long bytes) {
        return file.cutBackAfterFailure(bytes);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!file.isOpen() && file.started() == 0 && !file.failed()) {
                startFile(FileRotationPolicy.systemWallClockNanos()); // A run that captured nothing still leaves a valid (empty) pcap file.
            }
            if (file.isOpen()) {
                handOver();
            }
            finisher.awaitAll();
        } finally {
            file.close();
            index.close(); // the index thread stores nothing more and leaves no index so far of a finished file
            if (heldLock != null) {
                try {
                    heldLock.close();
                } catch (Exception ignored) {
                    // Released by the kernel at exit anyway.
                }
            }
            finisher.awaitCommands();
        }
    }

    /** Keeps an extraction index beside each file ({@code NAME.idx}; issue 13). */
    public void indexWith(FileIndexHook hook) {
        index = hook;
        file.indexWith(hook);
        finisher.indexWith(hook);
        runFiles.indexWith(hook);
    }

    /**
     * Files are cut before they exceed {@code bytes} ({@code -C}, {@code --rotate-size}; 0: no
     * size limit): the O_DIRECT size preallocated ahead of the data stops there, so a rotation
     * frees little of it (before the run starts).
     */
    public void expectFilesOf(long bytes) {
        file.expectFilesOf(bytes);
    }

    /** Keeps {@code lock} (the {@link OutputLock}) held, and reachable, until this sink is closed. */
    public void holdUntilClosed(AutoCloseable lock) {
        this.heldLock = lock;
    }

    @Override
    public int preferredBlockSize(int byDefault) {
        return file.direct() ? Math.max(byDefault, FileAppender.DIRECT_BLOCK_BYTES) : byDefault;
    }

    @Override
    public String describe() {
        return "files " + directory.resolve(namer.format(0, 0).replaceAll("\\d", "N"))
                + (file.direct() ? " (O_DIRECT)" : " (buffered)");
    }

    @Override
    public int noSpaceEpisodes() {
        return diskFull.episodes();
    }

    @Override
    public boolean stalled() {
        return diskFull.stalled();
    }

    /** Sets who is told about finished files (before the run starts; null: nobody). */
    public void setFileListener(FileListener listener) {
        this.listener = listener;
        finisher.setListener(listener);
    }

    private void handOver() throws IOException {
        Finisher.Job job = file.handOver();
        if (job != null) {
            if (listener != null) {
                listener.handedOver(job.target());
            }
            finisher.finish(job);
        }
    }
}
