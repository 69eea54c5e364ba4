package gulp.extract;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The index gulp keeps beside a capture file ({@code NAME.idx} beside {@code NAME}; while the file
 * is {@code .NAME.part}, {@code .NAME.idx.part}): what an extraction needs to skip the file or to
 * seek into it. Little-endian:
 * <pre>
 *  0  magic "GULPIDX1"                          8
 *  8  flags (1: complete, every record seen; 2: timestamps never decrease)   4
 * 12  link-type field                           4
 * 16  file length indexed (bytes)               8
 * 24  first record's header (16 bytes, as in the file)   16
 * 40  packets                                   8
 * 48  first, last, smallest, largest timestamp (ns)      4 x 8
 * 80  time table entries N                      4
 * 84  N x (timestamp ns 8, record offset 8): one per {@link #SPACING} bytes of records at least
 *     then the {@link TrafficSummary}
 * </pre>
 * An index whose length or first record disagrees with its file is not used (the file is read
 * and indexed again).
 */
final class FileIndex {
    static final long MAGIC = 0x3158444950_4C5547L; // "GULPIDX1" little-endian
    static final int FLAG_COMPLETE = 1, FLAG_MONOTONIC = 2;
    /** Bytes of records between time-table entries: a seek reads at most this much before the window. */
    static final long SPACING = 64 << 10;
    static final String SUFFIX = gulp.output.FileNamer.INDEX_SUFFIX;
    static final int HEADER_BYTES = 84;

    final int flags;
    final int linkTypeField;
    final long length;
    final byte[] firstRecord;
    final long packets;
    final long firstTimestamp, lastTimestamp, minTimestamp, maxTimestamp;
    final long[] tableTimes;
    final long[] tableOffsets;
    final TrafficSummary summary;

    FileIndex(int flags, int linkTypeField, long length, byte[] firstRecord, long packets, long firstTimestamp,
              long lastTimestamp, long minTimestamp, long maxTimestamp, long[] tableTimes, long[] tableOffsets,
              TrafficSummary summary) {
        this.flags = flags;
        this.linkTypeField = linkTypeField;
        this.length = length;
        this.firstRecord = firstRecord;
        this.packets = packets;
        this.firstTimestamp = firstTimestamp;
        this.lastTimestamp = lastTimestamp;
        this.minTimestamp = minTimestamp;
        this.maxTimestamp = maxTimestamp;
        this.tableTimes = tableTimes;
        this.tableOffsets = tableOffsets;
        this.summary = summary;
    }

    boolean complete() {
        return (flags & FLAG_COMPLETE) != 0;
    }

    boolean monotonic() {
        return (flags & FLAG_MONOTONIC) != 0;
    }

    /** The index file of capture file {@code capture}: {@code NAME.idx}, or {@code .NAME.idx.part} for {@code .NAME.part}. */
    static Path pathFor(Path capture) {
        String name = capture.getFileName().toString();
        String finalName = gulp.output.FileNamer.finalNameOfPart(name);
        return finalName != null ? capture.resolveSibling(gulp.output.FileNamer.partName(finalName + SUFFIX))
                : capture.resolveSibling(name + SUFFIX);
    }

    /** True for the names of index files (never capture files). */
    static boolean isIndexName(String name) {
        return name.endsWith(SUFFIX) || name.endsWith(SUFFIX + gulp.output.FileNamer.PART_SUFFIX)
                || name.endsWith(SUFFIX + gulp.output.FileNamer.STORE_TEMP_SUFFIX);
    }

    /**
     * Where to start reading for records at or after {@code from}: the offset of the last table
     * entry stamped before {@code from} (every earlier record is earlier still, the timestamps
     * never decreasing), else the first record.
     */
    long seekOffset(long from) {
        if (!monotonic() || tableTimes.length == 0) {
            return 0;
        }
        int at = firstEntryAtOrAfter(from);
        return at == 0 ? 0 : tableOffsets[at - 1];
    }

    /** The first time table entry stamped at or after {@code time} ({@code tableTimes.length} if none). */
    private int firstEntryAtOrAfter(long time) {
        int low = 0, high = tableTimes.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (tableTimes[mid] < time) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * For a file in time order, a file offset no record stamped before {@code to} lies past: the
     * offset of the first table entry stamped at or after {@code to}, or -1 when there is none
     * (the window may reach the file's end) or the file is not in time order. A hint for reading
     * ahead; the records themselves decide where the window ends.
     */
    long windowEndOffset(long to) {
        if (!monotonic() || tableTimes.length == 0 || to == Long.MAX_VALUE) {
            return -1;
        }
        int at = firstEntryAtOrAfter(to);
        return at == tableTimes.length ? -1 : tableOffsets[at];
    }

    /**
     * The most bytes the index of a file of {@code fileBytes} can take: the header, a table entry
     * per {@link #SPACING} bytes, every port listed, and the larger of a full exact address set
     * (all IPv6) and an unfolded Bloom filter.
     */
    static long maxEncodedBytes(long fileBytes) {
        long table = 16 * (Math.max(0, fileBytes) / SPACING + 1);
        long summary = 1 + 32 + 1 + Math.max(4 + 4095 * 2, 1024 * 8)
                + Math.max(1 + 4 + 4 + AddressSet.EXACT_LIMIT * 16L, 1 + 4 + 4 + AddressFilter.BLOCKED_BITS / 8);
        return HEADER_BYTES + table + summary;
    }

    byte[] encode() {
        int size = HEADER_BYTES + tableTimes.length * 16 + summary.serialisedBytes();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(MAGIC).putInt(flags).putInt(linkTypeField).putLong(length);
        out.put(Arrays.copyOf(firstRecord, 16));
        out.putLong(packets).putLong(firstTimestamp).putLong(lastTimestamp).putLong(minTimestamp).putLong(maxTimestamp);
        out.putInt(tableTimes.length);
        for (int i = 0; i < tableTimes.length; i++) {
            out.putLong(tableTimes[i]).putLong(tableOffsets[i]);
        }
        summary.write(out);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Decodes an index; throws IllegalArgumentException (or a buffer exception) for anything malformed. */
    static FileIndex decode(byte[] bytes) {
        return decode(bytes, true);
    }

    /**
     * Decodes an index, or with {@code whole} false only its header (the first {@link #HEADER_BYTES}):
     * then {@link #headerOnly}, with no time table and no summary.
     */
    private static FileIndex decode(byte[] bytes, boolean whole) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER_BYTES || in.getLong() != MAGIC) {
            throw new IllegalArgumentException("not a gulp index");
        }
        int flags = in.getInt();
        int linkType = in.getInt();
        long length = in.getLong();
        byte[] first = new byte[16];
        in.get(first);
        long packets = in.getLong();
        long firstTs = in.getLong(), lastTs = in.getLong(), minTs = in.getLong(), maxTs = in.getLong();
        int n = in.getInt();
        if (!whole) {
            return new FileIndex(flags, linkType, length, first, packets, firstTs, lastTs, minTs, maxTs, new long[0],
                    new long[0], null);
        }
        if (n < 0 || n > (bytes.length - HEADER_BYTES) / 16) {
            throw new IllegalArgumentException("bad time table");
        }
        long[] times = new long[n];
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = in.getLong();
            offsets[i] = in.getLong();
        }
        TrafficSummary summary = TrafficSummary.read(in, linkType);
        return new FileIndex(flags, linkType, length, first, packets, firstTs, lastTs, minTs, maxTs, times, offsets, summary);
    }

    /** Reads the index at {@code path}; null when there is none or it cannot be read. */
    static FileIndex load(Path path) {
        try {
            if (Files.size(path) > 64L << 20) {
                return null;
            }
            return decode(Files.readAllBytes(path));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Reads the header of the index at {@code path} (its first {@link #HEADER_BYTES}: enough to
     * check it against its file and to place the file in time); null when there is none or it
     * cannot be read.
     */
    static FileIndex loadHeader(Path path) {
        try (FileChannel c = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
            while (b.hasRemaining() && c.read(b, b.position()) > 0) {
                // Fill.
            }
            return decode(Arrays.copyOf(b.array(), b.position()), false);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** True for an index read by {@link #loadHeader}: its time table is empty and it has no summary. */
    boolean headerOnly() {
        return summary == null;
    }

    /** Whether the file may hold packets stamped in [{@code from}, {@code to}). */
    boolean overlaps(long from, long to) {
        return packets > 0 && maxTimestamp >= from && minTimestamp < to;
    }

    /** Writes the index to {@code path} atomically (a temporary file renamed over it). */
    void store(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + gulp.output.FileNamer.STORE_TEMP_SUFFIX);
        Files.deleteIfExists(tmp);
        // Owner and group only, as capture files by default: an index names the hosts a capture holds.
        try (FileChannel c = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----")))) {
            ByteBuffer b = ByteBuffer.wrap(encode());
            while (b.hasRemaining()) {
                c.write(b);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // a full disk leaves nothing half-written behind
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Whether this index describes {@code file} as it is now: a finished file of the indexed
     * length whose first record is the one indexed (a file still being written may be longer).
     */
    boolean agreesWith(FileChannel file, long size, boolean stillWritten, boolean pcap) throws IOException {
        if (size < length || (!stillWritten && size != length)) {
            return false;
        }
        if (packets == 0) {
            return true;
        }
        // pcap: the first record follows the 24-byte file header; pcapng: the table's first entry
        // is the first packet (its section and interface blocks vary in length).
        long at = pcap ? gulp.format.PcapFileHeader.LENGTH : tableOffsets.length > 0 ? tableOffsets[0] : -1;
        if (at < 0) {
            return false;
        }
        ByteBuffer first = ByteBuffer.allocate(16);
        while (first.hasRemaining() && file.read(first, at + first.position()) > 0) {
            // Fill.
        }
        return !first.hasRemaining() && Arrays.equals(first.array(), firstRecord);
    }
}
