package gulp.extract;

import gulp.capture.CaptureFileSource;
import gulp.capture.InputException;
import gulp.capture.PacketHandler;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A capture file only the capture reader can read (pcapng, old pcap versions), read from its
 * start through {@link CaptureFileSource} one batch at a time: the reader hands a batch of packets
 * over, they are copied here, and the merge takes them one by one. The reader's own checks and
 * timestamp conversions (pcapng interfaces' resolutions and offsets) apply unchanged.
 */
final class StreamCursor implements RecordCursor, PacketHandler {
    private final CaptureFileSource source;
    private final Arena arena = Arena.ofShared();
    private MemorySegment copies = arena.allocate(1 << 20, 64);
    private long used;
    private long[] timestamps = new long[4096];
    private long[] offsets = new long[4096];
    private int[] caplens = new int[4096];
    private int[] wirelens = new int[4096];
    private int count;
    private int index = -1;
    private boolean ended;
    private boolean truncated;

    StreamCursor(Path file) throws IOException, InputException {
        this.source = CaptureFileSource.open(List.of(file.toString()));
    }

    @Override
    public boolean next() throws IOException {
        if (++index < count) {
            return true;
        }
        if (ended) {
            return false;
        }
        count = 0;
        index = 0;
        used = 0;
        try {
            source.run(this);
        } catch (InputException e) {
            truncated = true; // what came before the problem has been handed over
            ended = true;
        }
        if (count == 0) {
            ended = true;
            return false;
        }
        return true;
    }

    @Override
    public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag) {
        if (count == timestamps.length) {
            int n = count * 2;
            timestamps = Arrays.copyOf(timestamps, n);
            offsets = Arrays.copyOf(offsets, n);
            caplens = Arrays.copyOf(caplens, n);
            wirelens = Arrays.copyOf(wirelens, n);
        }
        if (used + caplen > copies.byteSize()) {
            MemorySegment bigger = arena.allocate(Math.max(2 * copies.byteSize(), used + caplen), 64);
            MemorySegment.copy(copies, 0, bigger, 0, used);
            copies = bigger;
        }
        MemorySegment.copy(data, offset, copies, used, caplen);
        timestamps[count] = timestampNanos;
        offsets[count] = used;
        caplens[count] = caplen;
        wirelens[count] = wirelen;
        used += caplen;
        count++;
    }

    @Override
    public void onBatchEnd() {
    }

    /** One batch per {@link CaptureFileSource#run} call: the reader returns after it. */
    @Override
    public boolean stopRequested() {
        return true;
    }

    @Override
    public long timestampNanos() {
        return timestamps[index];
    }

    @Override
    public int caplen() {
        return caplens[index];
    }

    @Override
    public int wirelen() {
        return wirelens[index];
    }

    @Override
    public MemorySegment data() {
        return copies;
    }

    @Override
    public long dataOffset() {
        return offsets[index];
    }

    @Override
    public long recordOffset() {
        return -1;
    }

    @Override
    public boolean truncated() {
        return truncated;
    }

    @Override
    public void close() throws IOException {
        try {
            source.close();
        } finally {
            arena.close();
        }
    }
}
