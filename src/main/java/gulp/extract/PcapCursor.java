package gulp.extract;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;

import gulp.linux.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.INT_LE;

/**
 * A classic pcap file (either byte order, micro- or nanoseconds, version 2.4 records: what gulp
 * and tcpdump write) read from any record offset with positioned reads of {@link #CHUNK} bytes,
 * so an extraction seeks straight to the part of a file its window needs. A record cut short by
 * the end of the file ends it ({@link #truncated}); a file that grows meanwhile (a {@code .part}
 * being written) is read up to the length it was opened with. The file is read, never mapped: a
 * mapping of a file another program truncates faults (SIGBUS) where a read just comes up short,
 * and a file that came up shorter than that length {@linkplain #shrankTo shrank}.
 */
final class PcapCursor implements RecordCursor {
    static final int CHUNK = 1 << 20;

    private final FileChannel channel;
    private final CaptureFormat format;
    private final ValueLayout.OfInt intLayout;
    private final long end;
    private Arena arena = Arena.ofShared();
    private MemorySegment buffer;
    private ByteBuffer view;
    private long bufferStart; // file offset of buffer[0]
    private long bufferLength;
    private long next;        // file offset of the next record
    private long current = -1;
    private long timestamp;
    private int caplen;
    private int wirelen;
    private boolean truncated;
    private long shrankTo = -1;
    private long runOffset;   // the last verbatimRun's records: buffer offset and bytes
    private long runLength;

    /**
     * Reads {@code channel} (a {@link CaptureFormat#pcap} file of {@code length} bytes: the size the
     * catalog saw, or the size now) from the record at {@code offset}; it closes the channel.
     */
    PcapCursor(FileChannel channel, CaptureFormat format, long offset, long length) {
        this.channel = channel;
        this.format = format;
        this.intLayout = format.bigEndian() ? INT_BE : INT_LE;
        this.end = length;
        this.next = Math.max(offset, PcapFileHeader.LENGTH);
        allocate(CHUNK);
    }

    /**
     * Asks the kernel to read the bytes of {@code path} from {@code offset} to past
     * {@code readAheadEnd} (-1: to {@code length}) in at once (POSIX_FADV_WILLNEED: the disk
     * reads them while the merge reads the first ones). A hint: the reads happen either way.
     */
    static void readAhead(Path path, long offset, long readAheadEnd, long length) {
        long from = Math.min(Math.max(offset, PcapFileHeader.LENGTH), length);
        long to = readAheadEnd < 0 ? length : Math.min(length, readAheadEnd + READ_AHEAD_MARGIN);
        if (to > from) {
            Libc.current().readAhead(path.toString(), from, to - from);
        }
    }

    /** Read ahead past the index's first entry at or after the window's end (it lies in the record there or the next). */
    private static final long READ_AHEAD_MARGIN = FileIndex.SPACING;

    private void allocate(int size) {
        if (buffer != null) {
            arena.close();
            arena = Arena.ofShared();
        }
        buffer = arena.allocate(size, 4096);
        view = buffer.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN); // verbatimRun reads little-endian files only
        bufferLength = 0;
    }

    @Override
    public boolean next() throws IOException {
        if (!available(next, PcapRecordHeader.LENGTH)) {
            return false;
        }
        long at = next - bufferStart;
        long cap = Integer.toUnsignedLong(buffer.get(intLayout, at + PcapRecordHeader.CAPLEN_OFFSET));
        int seconds = buffer.get(intLayout, at + PcapRecordHeader.TS_SECONDS_OFFSET);
        int original = buffer.get(intLayout, at + PcapRecordHeader.WIRELEN_OFFSET);
        // All zeros is what a power loss leaves in a file extended but not written (as PartFileRecovery reads it).
        if (cap > PcapRecordHeader.MAX_CAPLEN || (seconds == 0 && cap == 0 && original == 0)) {
            truncated = true; // garbage from here on: the end of what was written
            return false;
        }
        if (!available(next, PcapRecordHeader.LENGTH + (int) cap)) {
            return false;
        }
        at = next - bufferStart;
        timestamp = PcapRecordHeader.timestampNanos(buffer.get(intLayout, at + PcapRecordHeader.TS_SECONDS_OFFSET),
                buffer.get(intLayout, at + PcapRecordHeader.TS_FRACTION_OFFSET), format.nanosecond());
        caplen = (int) cap;
        wirelen = buffer.get(intLayout, at + PcapRecordHeader.WIRELEN_OFFSET);
        current = next;
        next += PcapRecordHeader.LENGTH + cap;
        return true;
    }

    /** Makes {@code length} bytes from file offset {@code at} available in the buffer; false at the file's end. */
    private boolean available(long at, int length) throws IOException {
        if (at >= bufferStart && at + length <= bufferStart + bufferLength) {
            return true;
        }
        if (at + length > end) {
            truncated |= at < end;
            return false;
        }
        if (length > buffer.byteSize()) {
            allocate(Math.max(length, CHUNK));
        }
        bufferStart = at;
        bufferLength = 0;
        view.clear();
        int want = (int) Math.min(buffer.byteSize(), end - at);
        view.limit(want);
        while (view.hasRemaining()) {
            int n = channel.read(view, at + view.position());
            if (n < 0) {
                break;
            }
        }
        bufferLength = view.position();
        if (bufferLength < length) {
            truncated = true; // the file ends before the length it was opened with: it shrank
            shrankTo = channel.size();
            return false;
        }
        return true;
    }

    /**
     * Takes the records after the current one that are in the buffer already, as long as each
     * would be written unchanged (little-endian, stamped before {@code bound}, captured length at
     * most {@code snaplen}, a header that {@link gulp.format.RecordEncoder#verbatimSnaplen}
     * re-encodes to the same bytes) and they fit in {@code maxBytes}: they are then at
     * {@link #runOffset} in {@link #data}, {@link #runLength} bytes, and {@link #next} goes on
     * after them. Returns how many (0: none; the cursor has not moved).
     */
    int verbatimRun(long bound, int snaplen, long maxBytes) {
        if (format.bigEndian()) {
            return 0;
        }
        boolean nanos = format.nanosecond();
        long fractions = nanos ? 1_000_000_000L : 1_000_000L; // a fraction below this re-encodes to itself
        long limit = Math.min(bufferStart + bufferLength, end);
        long start = next;
        long at = next;
        int count = 0;
        // Two little-endian longs per header, through the buffer's ByteBuffer view: cheaper than
        // four segment reads before the JIT has compiled this loop (most of an extraction's life).
        while (at + PcapRecordHeader.LENGTH <= limit) {
            int b = (int) (at - bufferStart);
            long time = view.getLong(b + PcapRecordHeader.TS_SECONDS_OFFSET);
            long lengths = view.getLong(b + PcapRecordHeader.CAPLEN_OFFSET);
            long cap = lengths & 0xFFFF_FFFFL;
            long original = lengths >> 32; // signed, as the encoder compares it
            long after = at + PcapRecordHeader.LENGTH + cap;
            if (cap > snaplen || original < cap || after > limit || after - start > maxBytes || ((int) time == 0 && lengths == 0)) {
                break; // not whole here, not as the encoder writes it, or zeros (next() decides what they are)
            }
            long fraction = time >>> 32;
            if (fraction >= fractions || PcapRecordHeader.timestampNanos((int) time, (int) fraction, nanos) >= bound) {
                break;
            }
            at = after;
            count++;
        }
        runOffset = start - bufferStart;
        runLength = at - start;
        next = at;
        return count;
    }

    /** Where the last {@link #verbatimRun}'s records start in {@link #data}. */
    long runOffset() {
        return runOffset;
    }

    /** The bytes of the last {@link #verbatimRun}'s records. */
    long runLength() {
        return runLength;
    }

    @Override
    public long timestampNanos() {
        return timestamp;
    }

    @Override
    public int caplen() {
        return caplen;
    }

    @Override
    public int wirelen() {
        return wirelen;
    }

    @Override
    public MemorySegment data() {
        return buffer;
    }

    @Override
    public long dataOffset() {
        return current - bufferStart + PcapRecordHeader.LENGTH;
    }

    @Override
    public long recordOffset() {
        return current;
    }

    @Override
    public boolean truncated() {
        return truncated;
    }

    @Override
    public long shrankTo() {
        return shrankTo;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            arena.close();
        }
    }
}
