package gulp.output;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.format.PcapngBlock;
import gulp.format.Timestamps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finishes the files a killed run left behind: a leftover {@code .NAME.part} is cut back to its
 * last complete record (pcap) or block (pcapng: the file then lacks its closing statistics,
 * which readers do not need) and renamed to {@code NAME} (never replacing an existing file). A file that
 * another running gulp is writing is locked and left alone. One shorter than a pcap file header is
 * removed; one that is not pcap (an opaque {@code -c} copy) is renamed unchanged.
 *
 * <p>Only what gulp itself would have written is touched: names this run's naming scheme makes,
 * regular files owned by gulp's user with one link, opened without following symbolic links and
 * checked on the descriptor (see {@link SafeFiles}); anything else is left alone, with one line
 * when it has a gulp name. Start-up spends at most {@link #TIME_BUDGET_NANOS} reading leftovers:
 * a file not checked by then stays a {@code .part} file, with one line.
 */
public final class PartFileRecovery {
    /** Far above any record gulp writes ({@link PcapRecordHeader#MAX_CAPLEN}; a {@code -c} copy may hold another writer's): a longer caplen means garbage. */
    private static final long MAX_PLAUSIBLE_CAPLEN = 1L << 26;
    /** How long start-up may spend reading leftover files, all together. */
    static final long TIME_BUDGET_NANOS = 10_000_000_000L;
    /** {@link #completeLength(FileChannel, long)}: the time ran out before the end was found. */
    static final long OUT_OF_TIME = -2;

    private PartFileRecovery() {
    }

    /** Recovers every leftover temporary file of {@code namer} in {@code directory}; one line per file. */
    public static List<Path> recoverAll(Path directory, FileNamer namer, Consumer<String> report) throws IOException {
        return recoverAll(directory, namer, report, TIME_BUDGET_NANOS);
    }

    static List<Path> recoverAll(Path directory, FileNamer namer, Consumer<String> report, long budgetNanos)
            throws IOException {
        List<Path> parts = new ArrayList<>();
        List<Path> indexesSoFar = new ArrayList<>();
        List<Path> indexTemps = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.sorted().forEach(p -> {
                String finalName = FileNamer.finalNameOfPart(p.getFileName().toString());
                if (finalName != null && namer.makes(finalName)) {
                    parts.add(p);
                } else if (finalName != null && isIndexOf(finalName, namer)) {
                    indexesSoFar.add(p);
                } else if (isIndexStoreTemp(p.getFileName().toString(), namer)) {
                    indexTemps.add(p);
                }
            });
        }
        removeOrphanIndexes(indexesSoFar);
        removeStaleIndexTemps(indexTemps);
        long deadline = System.nanoTime() + budgetNanos;
        List<Path> recovered = new ArrayList<>();
        ByteBuffer chunk = parts.isEmpty() ? null : newChunk(); // one for the run's every file
        for (Path part : parts) {
            Path result = recover(part, report, deadline, chunk);
            if (result != null) {
                recovered.add(result);
            }
        }
        return recovered;
    }

    /**
     * Removes each index so far ({@code .NAME.idx.part}) whose {@code .NAME.part} is gone: a kill
     * between a file's rename and its index's left it, and it describes no file being written.
     */
    private static void removeOrphanIndexes(List<Path> indexesSoFar) throws IOException {
        for (Path index : indexesSoFar) {
            String indexName = FileNamer.finalNameOfPart(index.getFileName().toString());
            Path part = index.resolveSibling(FileNamer.partName(FileNamer.finalNameOfIndex(indexName)));
            if (!Files.exists(part, LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(index);
            }
        }
    }

    /** A store takes milliseconds and a snapshot is rewritten at most once a second: an older temp is a kill's. */
    static final long STALE_TEMP_MILLIS = 60_000;

    /** {@code NAME.idx.tmp} or {@code .NAME.idx.part.tmp} (what an index store writes before it renames), NAME a name of {@code namer}. */
    private static boolean isIndexStoreTemp(String name, FileNamer namer) {
        if (!name.endsWith(FileNamer.STORE_TEMP_SUFFIX)) {
            return false;
        }
        String index = name.substring(0, name.length() - FileNamer.STORE_TEMP_SUFFIX.length());
        String part = FileNamer.finalNameOfPart(index);
        return isIndexOf(part != null ? part : index, namer);
    }

    /** True for {@code NAME.idx}, NAME a name of {@code namer}. */
    private static boolean isIndexOf(String indexName, FileNamer namer) {
        String indexed = FileNamer.finalNameOfIndex(indexName);
        return indexed != null && namer.makes(indexed);
    }

    /**
     * Removes each index store's temporary file a kill left in the middle of a store (older than
     * {@link #STALE_TEMP_MILLIS}: another run sharing the directory may be storing one now).
     */
    private static void removeStaleIndexTemps(List<Path> temps) throws IOException {
        long before = System.currentTimeMillis() - STALE_TEMP_MILLIS;
        for (Path temp : temps) {
            try {
                BasicFileAttributes a = Files.readAttributes(temp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && a.lastModifiedTime().toMillis() < before) {
                    Files.deleteIfExists(temp);
                }
            } catch (NoSuchFileException e) {
                // renamed or removed meanwhile by the run that stored it
            }
        }
    }

    /**
     * Removes the extraction index published beside the unfinished file {@code part}
     * ({@code .NAME.idx.part}, the index so far): once the part is recovered, renamed or removed it
     * describes no file (an extraction indexes a recovered file itself, and {@code gulp index} ahead of time).
     */
    public static void removeIndexSoFar(Path part) throws IOException {
        String finalName = FileNamer.finalNameOfPart(part.getFileName().toString());
        if (finalName != null) {
            Files.deleteIfExists(part.resolveSibling(FileNamer.partName(FileNamer.indexName(finalName))));
        }
    }

    /** Recovers one temporary file, read through {@code chunk}; returns the final path, or null if it was left alone or removed. */
    private static Path recover(Path part, Consumer<String> report, long deadline, ByteBuffer chunk) throws IOException {
        String finalName = FileNamer.finalNameOfPart(part.getFileName().toString());
        FileChannel opened;
        try {
            opened = SafeFiles.openOurs(part, -1);
        } catch (SafeFiles.NotOursException e) {
            report.accept("warning: not recovering " + part + ": " + e.getReason());
            return null;
        } catch (NoSuchFileException e) {
            return null; // Gone meanwhile (finished by the run that wrote it).
        }
        try (FileChannel channel = opened) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return null; // A running gulp is writing it.
            }
            long size = channel.size();
            long complete = completeLength(channel, deadline, chunk);
            if (complete == OUT_OF_TIME) {
                report.accept("warning: left " + part + " (" + size + " bytes) as it is: start-up reads leftover files for at most "
                        + TIME_BUDGET_NANOS / Timestamps.NANOS_PER_SECOND + " s; it stays a .part file");
                return null;
            }
            if (complete < 0 && size < PcapFileHeader.LENGTH) {
                report.accept("removed " + part + " left by an earlier run: " + size + " bytes, not even a file header");
                lock.release();
                Files.delete(part);
                removeIndexSoFar(part);
                return null;
            }
            if (complete < 0) {
                // Not pcap (a -c copy): nothing to repair, but the data is kept.
                Path target = freeName(part.resolveSibling(finalName));
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                removeIndexSoFar(part);
                report.accept("renamed " + part + " left by an earlier run to " + target + " unchanged (not a pcap file)");
                return target;
            }
            if (complete < size) {
                channel.truncate(complete);
            }
            channel.force(true);
            Path target = freeName(part.resolveSibling(finalName));
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            removeIndexSoFar(part);
            report.accept("recovered " + part + " left by an earlier run: " + (complete < size
                    ? "cut back from " + size + " to " + complete + " bytes (the last complete record)"
                    : complete + " bytes, complete") + ", now " + target);
            return target;
        } catch (OverlappingFileLockException e) {
            return null; // This process writes it.
        }
    }

    /** {@code wanted}, or {@code wanted} with {@code .recovered-N} inserted when that name is taken. */
    private static Path freeName(Path wanted) {
        Path candidate = wanted;
        String name = wanted.getFileName().toString();
        String extension = FileNamer.extensionOf(name);
        String base = name.substring(0, name.length() - extension.length());
        for (int n = 1; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); n++) {
            candidate = wanted.resolveSibling(base + ".recovered-" + n + (extension.isEmpty() ? FileNamer.EXTENSION : extension));
        }
        return candidate;
    }

    /**
     * The length of the longest prefix made of the file header and whole plausible records (or
     * pcapng blocks), or -1 when the file header is missing or neither pcap nor pcapng.
     */
    static long completeLength(FileChannel channel) throws IOException {
        return completeLength(channel, Long.MAX_VALUE, newChunk());
    }

    /** How much of a file is read at a time. */
    private static final int CHUNK_BYTES = 1 << 20;

    private static ByteBuffer newChunk() {
        return ByteBuffer.allocateDirect(CHUNK_BYTES);
    }

    /**
     * As {@link #completeLength(FileChannel)}, read through {@code chunk} (any byte order; its
     * contents are overwritten), or {@link #OUT_OF_TIME} once {@code System.nanoTime()} passes {@code deadline}.
     */
    private static long completeLength(FileChannel channel, long deadline, ByteBuffer chunk) throws IOException {
        long size = channel.size();
        if (size < PcapFileHeader.LENGTH) {
            return -1;
        }
        ByteBuffer header = ByteBuffer.allocate(PcapFileHeader.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(header, 0);
        if (header.getInt(PcapngBlock.TYPE_OFFSET) == PcapngBlock.TYPE_SECTION_HEADER) {
            ByteOrder order = PcapngBlock.byteOrder(header.getInt(PcapngBlock.SHB_BYTE_ORDER_MAGIC_OFFSET));
            return order == null ? -1 : completeBlocks(channel, size, order, deadline, chunk.order(order));
        }
        int magic = header.getInt(PcapFileHeader.MAGIC_OFFSET);
        ByteOrder order;
        if (magic == PcapFileHeader.MAGIC_MICROS || magic == PcapFileHeader.MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (magic == PcapFileHeader.MAGIC_MICROS_SWAPPED || magic == PcapFileHeader.MAGIC_NANOS_SWAPPED) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return -1;
        }
        header.order(order);
        if (mayEndInPreallocatedZeros(size)) {
            size = endOfWrittenBlocks(channel, size, deadline, chunk);
            if (size == OUT_OF_TIME) {
                return OUT_OF_TIME;
            }
        }
        long snaplen = header.getInt(PcapFileHeader.SNAPLEN_OFFSET) & 0xFFFFFFFFL;
        long maxCaplen = snaplen == 0 ? MAX_PLAUSIBLE_CAPLEN : Math.min(snaplen, MAX_PLAUSIBLE_CAPLEN);

        chunk.order(order);
        long chunkStart = PcapFileHeader.LENGTH;
        chunk.limit(0);
        long position = PcapFileHeader.LENGTH; // start of the next record
        while (true) {
            if (position + PcapRecordHeader.LENGTH > size) {
                return position;
            }
            if (position + PcapRecordHeader.LENGTH > chunkStart + chunk.limit()) {
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                    return OUT_OF_TIME;
                }
                chunk.clear();
                chunkStart = position;
                while (chunk.hasRemaining() && channel.read(chunk, chunkStart + chunk.position()) > 0) {
                    // Fill the chunk.
                }
                chunk.flip();
            }
            int at = (int) (position - chunkStart);
            long seconds = chunk.getInt(at + PcapRecordHeader.TS_SECONDS_OFFSET) & 0xFFFFFFFFL;
            long caplen = chunk.getInt(at + PcapRecordHeader.CAPLEN_OFFSET) & 0xFFFFFFFFL;
            long wirelen = chunk.getInt(at + PcapRecordHeader.WIRELEN_OFFSET) & 0xFFFFFFFFL;
            // All-zero headers are what a power loss leaves in a file extended but not written.
            boolean plausible = caplen <= maxCaplen && !(seconds == 0 && caplen == 0 && wirelen == 0);
            long end = position + PcapRecordHeader.LENGTH + caplen;
            if (!plausible || end > size) {
                return position;
            }
            position = end;
        }
    }

    /** The blocks whose bytes are all zero at the end of a file: what O_DIRECT output preallocated and never wrote. */
    private static final int ZERO_BLOCK = 4096;

    /**
     * Whether a file of {@code size} bytes can end in zeros that O_DIRECT output preallocated: it
     * preallocates ({@code fallocate}) only to multiples of {@link DirectWrites#PREALLOCATION_GRAIN},
     * and a file whose size a write or a cut set last holds data up to that size (a killed
     * process's writes complete before it exits, and they are in file order). Buffered output never
     * preallocates; the file does not say how it was written, so the size is what tells (a
     * buffered file that happens to be such a multiple is scanned too: where its last record ends
     * in zeros across a {@link #ZERO_BLOCK} boundary, that record is cut, as a killed O_DIRECT
     * run's would be).
     */
    private static boolean mayEndInPreallocatedZeros(long size) {
        return DirectWrites.mayEndInPreallocatedZeros(size);
    }

    /**
     * Where the file's trailing run of all-zero {@link #ZERO_BLOCK}s begins (its size if it has
     * none), or {@link #OUT_OF_TIME}: O_DIRECT output keeps the file's size ahead of its data
     * (fallocate) and writes whole blocks, so a killed run leaves zeros from a block boundary on,
     * and a record that goes on past that boundary was cut by the kill even though its length
     * fits in the file (pcapng blocks repeat their length at the end, which zeros do not).
     */
    private static long endOfWrittenBlocks(FileChannel channel, long size, long deadline, ByteBuffer chunk) throws IOException {
        long end = size;
        while (end > PcapFileHeader.LENGTH) {
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                return OUT_OF_TIME;
            }
            long from = Math.max(0, end - chunk.capacity());
            chunk.clear().limit((int) (end - from));
            readFully(channel, chunk, from);
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) != 0) {
                    long lastWritten = from + i + 1;
                    return Math.min(size, (lastWritten + ZERO_BLOCK - 1) / ZERO_BLOCK * ZERO_BLOCK);
                }
            }
            end = from;
        }
        return size;
    }

    /**
     * pcapng: the end of the last whole block, every block checked as a reader checks it (a
     * length of whole 32-bit words, at least the frame, at most {@link PcapngBlock#MAX_BLOCK_LENGTH},
     * repeated at its end), so a block the kill cut off, or zeros a power loss left, end the file.
     */
    private static long completeBlocks(FileChannel channel, long size, ByteOrder order, long deadline, ByteBuffer chunk)
            throws IOException {
        ByteBuffer trailing = ByteBuffer.allocate(4).order(order);
        long chunkStart = 0;
        chunk.limit(0);
        long position = 0;
        while (position + PcapngBlock.FRAME_OVERHEAD <= size) {
            if (position + PcapngBlock.BODY_OFFSET > chunkStart + chunk.limit()) {
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                    return OUT_OF_TIME;
                }
                chunk.clear();
                chunkStart = position;
                readFully(channel, chunk, chunkStart);
                chunk.flip();
            }
            long length = Integer.toUnsignedLong(chunk.getInt((int) (position - chunkStart) + PcapngBlock.TOTAL_LENGTH_OFFSET));
            if (length < PcapngBlock.FRAME_OVERHEAD || (length & 3) != 0 || length > PcapngBlock.MAX_BLOCK_LENGTH
                    || position + length > size) {
                break;
            }
            long end = position + length;
            long repeated;
            if (end <= chunkStart + chunk.limit()) {
                repeated = Integer.toUnsignedLong(chunk.getInt((int) (end - 4 - chunkStart)));
            } else { // beyond the chunk: one small read (the next chunk starts at the next block)
                trailing.clear();
                readFully(channel, trailing, end - 4);
                repeated = Integer.toUnsignedLong(trailing.getInt(0));
            }
            if (repeated != length) {
                break;
            }
            position = end;
        }
        return position == 0 ? -1 : position;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        while (buffer.hasRemaining() && channel.read(buffer, at + buffer.position()) > 0) {
            // Fill it.
        }
    }
}
