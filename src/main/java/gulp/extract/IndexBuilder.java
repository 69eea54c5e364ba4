package gulp.extract;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Builds a {@link FileIndex} from a file's records in file order: the writer's index thread
 * ({@link LiveIndexer}) while capturing, {@code gulp index} and extractions for files without one.
 */
final class IndexBuilder {
    private final int linkTypeField;
    private TrafficSummary summary;
    private byte[] firstRecord = new byte[16];
    private long packets;
    private long first = Long.MIN_VALUE, last = Long.MIN_VALUE;
    private long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
    private boolean monotonic = true;
    private boolean complete = true;
    private long[] times = new long[64];
    private long[] offsets = new long[64];
    private int entries;
    private long lastEntryOffset; // 0: the file header; the first entry comes SPACING bytes into the file

    IndexBuilder(int linkTypeField) {
        this(linkTypeField, false);
    }

    /**
     * @param tableFromFirstRecord the time table's first entry is the first record (pcapng, whose
     *                             files begin with headers of varying length: the entry says where
     *                             the first record is, to recognise the file by it)
     */
    IndexBuilder(int linkTypeField, boolean tableFromFirstRecord) {
        this.linkTypeField = linkTypeField;
        this.summary = new TrafficSummary(linkTypeField);
        this.lastEntryOffset = tableFromFirstRecord ? -FileIndex.SPACING : 0;
    }

    /** Goes on from {@code index} (of a file still being written): the records after its length follow. */
    IndexBuilder(FileIndex index) {
        this.linkTypeField = index.linkTypeField;
        this.summary = index.summary;
        this.firstRecord = index.firstRecord.clone();
        this.packets = index.packets;
        this.first = index.firstTimestamp;
        this.last = index.lastTimestamp;
        this.min = index.packets == 0 ? Long.MAX_VALUE : index.minTimestamp;
        this.max = index.maxTimestamp;
        this.monotonic = index.monotonic();
        this.complete = index.complete();
        this.times = Arrays.copyOf(index.tableTimes, Math.max(64, index.tableTimes.length * 2));
        this.offsets = Arrays.copyOf(index.tableOffsets, times.length);
        this.entries = index.tableTimes.length;
        this.lastEntryOffset = entries == 0 ? 0 : index.tableOffsets[entries - 1];
    }

    /** A copy that later records added to this builder do not change (the writer's snapshots). */
    IndexBuilder copy() {
        IndexBuilder c = new IndexBuilder(linkTypeField);
        c.summary = summary.copy();
        c.firstRecord = firstRecord.clone();
        c.packets = packets;
        c.first = first;
        c.last = last;
        c.min = min;
        c.max = max;
        c.monotonic = monotonic;
        c.complete = complete;
        c.times = Arrays.copyOf(times, Math.max(64, entries));
        c.offsets = Arrays.copyOf(offsets, Math.max(64, entries));
        c.entries = entries;
        c.lastEntryOffset = lastEntryOffset;
        return c;
    }

    /**
     * One record: at {@code recordOffset} in the file (-1 if not known), stamped {@code timestamp},
     * its packet's first bytes ({@code length} of them, at most {@link TrafficSummary#SNIFF_BYTES} are read).
     */
    void add(long recordOffset, long timestamp, MemorySegment data, long offset, int length) {
        if (packets == 0) {
            first = min = timestamp;
        } else if (timestamp < last) {
            steppedBack(timestamp);
        }
        packets++;
        last = timestamp; // the largest so far is max or last (largest())
        if (recordOffset >= 0 && recordOffset - lastEntryOffset >= FileIndex.SPACING) {
            tableEntry(timestamp, recordOffset);
        }
        summary.add(data, offset, length);
    }

    /** A time table entry (every {@link FileIndex#SPACING} bytes: a call of its own, off the common path). */
    private void tableEntry(long timestamp, long recordOffset) {
        if (entries == times.length) {
            times = Arrays.copyOf(times, entries * 2);
            offsets = Arrays.copyOf(offsets, entries * 2);
        }
        times[entries] = timestamp;
        offsets[entries] = recordOffset;
        entries++;
        lastEntryOffset = recordOffset;
    }

    /**
     * A record stamped before the one added last: the file is not in time order. Only here do
     * the smallest and largest timestamps change other than by the last one growing (every
     * record since the last step back was at or after the one before it).
     */
    private void steppedBack(long timestamp) {
        monotonic = false;
        max = Math.max(max, last);
        min = Math.min(min, timestamp);
    }

    /** The largest timestamp added. */
    private long largest() {
        return Math.max(max, last);
    }

    /** The first record's 16-byte header as the file holds it (to recognise the file later). */
    void firstRecordHeader(byte[] header) {
        this.firstRecord = header.clone();
    }

    boolean hasFirstRecord() {
        return packets > 0;
    }

    /** Some records were not seen (the index queue overflowed): the summary and times cannot be trusted for skipping. */
    void markIncomplete() {
        complete = false;
    }

    long packets() {
        return packets;
    }

    /** The index of a file of {@code length} bytes, its Bloom filters folded to about 0.3 % of them. */
    FileIndex build(long length) {
        summary.addresses.foldToFit(Math.max(4096, length * 3 / 1000), 0.01);
        int flags = (complete ? FileIndex.FLAG_COMPLETE : 0) | (monotonic ? FileIndex.FLAG_MONOTONIC : 0);
        return new FileIndex(flags, linkTypeField, length, firstRecord, packets, first, last,
                packets == 0 ? Long.MIN_VALUE : min, largest(), Arrays.copyOf(times, entries), Arrays.copyOf(offsets, entries),
                summary);
    }
}
