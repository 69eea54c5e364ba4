package gulp.capture;

import gulp.format.PcapngBlock;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.SHORT_BE;
import static gulp.format.Endian.SHORT_LE;

/**
 * The capture reader's one input buffer: an off-heap segment that holds a window of the input,
 * read from {@link #position} (the parser's cursor) to {@link #limit}. Records are handed on by
 * reference, so the window is compacted or replaced only between records. It starts at 4 MiB and
 * grows for a large pcapng block, up to {@link #MAX_SIZE}; multi-byte fields are read in the byte
 * order of the current file or section ({@link #bigEndian}).
 */
final class InputBuffer {
    static final int INITIAL_SIZE = 4 * ((1 << 20) + 4096);
    /** A 16 MiB pcapng block and what may follow it in one read. */
    static final int MAX_SIZE = PcapngBlock.MAX_BLOCK_LENGTH + (1 << 20);

    MemorySegment segment;
    private ByteBuffer view;
    int position;
    int limit;
    boolean endOfInput;
    boolean bigEndian;
    /** Input bytes before {@link #segment}'s first byte (for messages). */
    private long consumedBefore;
    private ReadableByteChannel channel;
    /** Told before every read that may block, so what was read so far reaches the output. */
    private PacketHandler publisher;

    InputBuffer() {
        allocate(INITIAL_SIZE);
    }

    private void allocate(int size) {
        segment = Arena.ofAuto().allocate(size, 4096);
        view = segment.asByteBuffer();
    }

    /** Starts on a new input, empty. */
    void reset(ReadableByteChannel input) {
        channel = input;
        position = 0;
        limit = 0;
        endOfInput = false;
        consumedBefore = 0;
    }

    void publishTo(PacketHandler handler) {
        publisher = handler;
    }

    /** The input offset of {@link #position}. */
    long offset() {
        return consumedBefore + position;
    }

    int remaining() {
        return limit - position;
    }

    /** The byte order of the current file or section. */
    ByteOrder order() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    void order(ByteOrder order) {
        bigEndian = order == ByteOrder.BIG_ENDIAN;
    }

    int intAt(long at) {
        return segment.get(bigEndian ? INT_BE : INT_LE, at);
    }

    int shortAt(long at) {
        return segment.get(bigEndian ? SHORT_BE : SHORT_LE, at) & 0xFFFF;
    }

    /**
     * Makes at least {@code needed} bytes (at most {@link #MAX_SIZE}) available from
     * {@link #position}, reading more input as needed. Returns false if the input ends first
     * (whatever there is stays buffered).
     */
    boolean fill(int needed) throws IOException {
        if (limit - position >= needed) {
            return true;
        }
        if (needed > MAX_SIZE) {
            throw new IllegalArgumentException(needed + " bytes do not fit the input buffer");
        }
        if (needed > segment.byteSize()) {
            grow(needed);
        }
        int size = (int) segment.byteSize();
        if (position > 0 && position + needed > size) {
            compact();
        }
        while (limit - position < needed && !endOfInput) {
            if (limit == size) {
                compact();
            }
            view.limit(size).position(limit);
            if (publisher != null) {
                publisher.onBatchEnd();
            }
            int n = channel.read(view);
            if (n < 0) {
                endOfInput = true;
            } else {
                limit += n;
            }
        }
        return limit - position >= needed;
    }

    /** A larger segment (at least {@code needed}, at most {@link #MAX_SIZE}) holding what is buffered. */
    private void grow(int needed) {
        MemorySegment old = segment;
        int remaining = limit - position;
        allocate((int) Math.min(MAX_SIZE, Math.max(needed, 2 * old.byteSize())));
        MemorySegment.copy(old, position, segment, 0, remaining);
        consumedBefore += position;
        position = 0;
        limit = remaining;
    }

    private void compact() {
        int remaining = limit - position;
        MemorySegment.copy(segment, position, segment, 0, remaining);
        consumedBefore += position;
        position = 0;
        limit = remaining;
    }
}
