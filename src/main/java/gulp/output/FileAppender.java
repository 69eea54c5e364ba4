package gulp.output;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The write path of one output file (an {@code -o} file, or stdout when it is a regular file):
 * bytes appended at increasing file offsets, buffered or with O_DIRECT.
 *
 * <p>O_DIRECT wants the memory address, the file offset and the length of every write aligned.
 * When the bytes' address and their file offset share their alignment (the ring is placed so,
 * shifted by the file header's length: a stdout file, the first {@code -o} file), whole blocks go
 * to the disk straight from the ring; only the partial block before and after them is copied, and
 * the three go out in one gathering write (one O_DIRECT round trip per append, as {@code dd}).
 * Otherwise (later {@code -o} files start at any ring position) the bytes are copied into an
 * aligned staging buffer that always starts at an aligned file offset (a memory copy, still far
 * cheaper than the page cache's copy and writeback); in a large append each chunk of
 * {@link #CHUNK_BYTES} is written behind, on the {@link WriteBehind} helper, while the next is
 * copied, so the copy costs no disk time. Every append writes everything: whole
 * blocks, and the partial last block padded with zeros, so every byte the writer counts is in the
 * file when {@link #append} returns. {@link #trimPadding} gives the file its real length (the
 * writer idles, the file is finished); the next append rewrites that last block.
 *
 * <p>A failed write goes to the {@link ErrorHandler} (a full disk or quota as an
 * {@link OutOfSpaceException}): it returns to have the write retried (it
 * made room on a full disk), or throws. Either way {@link #written()} says how far the file holds
 * the right bytes, so a failed output can keep every complete record that reached it: after an
 * {@link #appendData} failed for good, {@link #failedDataProgress} says how much of it reached the
 * file and {@link #cutBackPoint} where the file must end to hold only what the writer counted.
 *
 * <p>Writer thread only.
 */
final class FileAppender {
    /** What to do about a failed write: return to retry it, or throw to give up. */
    interface ErrorHandler {
        void handle(IOException e) throws IOException;
    }

    /** What a staged append writes behind while copying the next: a write as large as dd's default, and a copy small enough to hide. */
    static final int CHUNK_BYTES = 1 << 20;
    /**
     * The write size of O_DIRECT output when {@code -z} is not given: in place, one write of 4 MiB
     * (ext4 serialises writes that grow a file, so a larger write is how more of it is in flight at
     * once); staged, four chunks of which three are copied while one is written.
     */
    public static final int DIRECT_BLOCK_BYTES = 4 << 20;

    private final int alignment;
    private final int chunkBytes;
    private ByteBuffer staging;     // null: buffered writes
    private ByteBuffer spare;       // the staging buffer of the chunk being written behind
    private WriteBehind behind;     // its helper thread, once needed
    private long behindAt = -1;     // file offset of the chunk being written behind; -1: none
    private final ErrorHandler onError;
    private final ByteBuffer[] gather = new ByteBuffer[3]; // one write's blocks
    private final int[] gatherStart = new int[3];

    private FileChannel channel;
    private long length;            // file offset where the data ends (the padding not counted)
    private long written;           // the file holds the right bytes up to here
    private long stagingFileOffset; // file offset of staging[0], always aligned
    private long dataCallStart;     // length when the last appendData began
    private long failedDataProgress; // bytes of the failed appendData that reached the file
    private boolean failedInData;   // the failure was in appendData (the writer's bytes), not a header
    private boolean failed;         // an append failed for good: the file's end is not trusted

    /** @param direct O_DIRECT: the channel must be opened (or switched) to O_DIRECT by the caller */
    FileAppender(boolean direct, int alignment, ErrorHandler onError) {
        this.alignment = alignment;
        this.onError = onError;
        this.chunkBytes = Math.max(CHUNK_BYTES, alignment);
        // Each holds what is left for the last write of an append: less than two chunks.
        this.staging = direct ? alignedBuffer(2 * chunkBytes, alignment) : null;
        this.spare = direct ? alignedBuffer(2 * chunkBytes, alignment) : null;
    }

    private static ByteBuffer alignedBuffer(int size, int alignment) {
        return ByteBuffer.allocateDirect(size + alignment).alignedSlice(alignment).slice(0, size);
    }

    boolean direct() {
        return staging != null;
    }


    /** Starts appending to {@code channel} at {@code offset} (aligned when direct). */
    void start(FileChannel channel, long offset) {
        if (staging != null && offset % alignment != 0) {
            throw new IllegalArgumentException("O_DIRECT output must start at an aligned offset, not " + offset);
        }
        this.channel = channel;
        this.length = offset;
        this.written = offset;
        this.stagingFileOffset = offset;
        this.dataCallStart = offset;
        this.failedInData = false;
        if (staging != null) {
            staging.clear();
        }
    }

    /** The file offset where the data ends. */
    long length() {
        return length;
    }

    /** The file holds the appended bytes up to this offset (after a failure: how far they got). */
    long written() {
        return written;
    }

    /** Whether an append failed for good (the file's end is not trusted; sticks for good). */
    boolean failed() {
        return failed;
    }

    /** Appends a file header (or trailer: bytes not from the ring); a failure marks the file {@link #failed()}. */
    void appendHeader(ByteBuffer header) throws IOException {
        try {
            append(header);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Appends the writer's bytes, forced to disk afterwards if {@code force}; a failure marks the
     * file {@link #failed()} and keeps how far the call got.
     */
    void appendData(ByteBuffer bytes, boolean force) throws IOException {
        dataCallStart = length;
        try {
            append(bytes);
            if (force) {
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            failedInData = true;
            failedDataProgress = Math.max(0, written - dataCallStart);
            throw e;
        }
    }

    /** After {@link #appendData} threw: how many of its bytes reached the file (0 after a header failure). */
    long failedDataProgress() {
        return failedInData ? failedDataProgress : 0;
    }

    /**
     * After {@link #appendData} threw: the offset {@code bytes} after where that call began (see
     * {@link Sink#cutBackAfterFailure}), or -1 when the failure was not in the writer's bytes.
     */
    long cutBackPoint(long bytes) {
        return failedInData ? Math.max(0, dataCallStart + bytes) : -1;
    }

    private void append(ByteBuffer bytes) throws IOException {
        if (staging == null) {
            long end = length + bytes.remaining();
            writeFullyAt(bytes, length, end);
            length = end;
            return;
        }
        if (bytes.isDirect() && bytes.remaining() >= 2 * alignment
                && Math.floorMod(MemorySegment.ofBuffer(bytes).address() - length, alignment) == 0) {
            writeWholeBlocksInPlace(bytes);
            return;
        }
        // Staged: while at least two chunks are to go, a whole chunk is written behind (on the
        // helper) as the next one is copied; the rest (less than two chunks) is written here.
        while (staging.position() + bytes.remaining() >= 2 * chunkBytes) {
            int n = chunkBytes - staging.position();
            copyToStaging(bytes, n);
            awaitWriteBehind();
            writeBehind().submit(channel, staging.duplicate().flip(), stagingFileOffset);
            behindAt = stagingFileOffset;
            stagingFileOffset += chunkBytes;
            ByteBuffer next = spare;
            spare = staging;
            staging = next.clear();
        }
        copyToStaging(bytes, bytes.remaining());
        awaitWriteBehind();
        int used = staging.position();
        if (used > 0) {
            int padded = (int) alignUp(used);
            for (int i = used; i < padded; i++) {
                staging.put(i, (byte) 0);
            }
            writeFullyAt(staging.duplicate().position(0).limit(padded), stagingFileOffset, stagingFileOffset + used);
            int whole = used - used % alignment; // written for good: the partial block stays staged
            if (whole > 0) {
                staging.put(0, staging, whole, used - whole);
                staging.position(used - whole);
                stagingFileOffset += whole;
            }
        }
    }

    private void copyToStaging(ByteBuffer bytes, int n) {
        staging.put(staging.position(), bytes, bytes.position(), n);
        staging.position(staging.position() + n);
        bytes.position(bytes.position() + n);
        length += n;
    }

    private WriteBehind writeBehind() {
        if (behind == null) {
            behind = new WriteBehind();
        }
        return behind;
    }

    /**
     * Waits for the chunk written behind, if one is; if it failed, writes it again here, where a
     * full disk reaches the {@link ErrorHandler} and a failure counts (as if written here at once).
     */
    private void awaitWriteBehind() throws IOException {
        if (behindAt < 0) {
            return;
        }
        long at = behindAt;
        behindAt = -1;
        if (behind.await() != null) {
            writeFullyAt(spare.duplicate().position(0).limit(chunkBytes), at, at + chunkBytes);
        }
        written = Math.max(written, at + chunkBytes);
    }

    /** Ends the helper thread of the writes behind (after the last append; the file itself is the caller's). */
    void close() {
        if (behind != null) {
            behind.close();
        }
    }

    /**
     * The bytes share the file offsets' alignment: one gathering write of the staged partial block
     * completed from them, their whole blocks from where they are, and their partial last block
     * copied and padded (as {@code dd} writes one block per call; three writes here would cost two
     * more O_DIRECT round trips per call, one of them growing the file). Leaves that last partial
     * block staged for the next append.
     */
    private void writeWholeBlocksInPlace(ByteBuffer bytes) throws IOException {
        int used = staging.position(); // less than a block: the tail of the last append
        long position = stagingFileOffset; // aligned: length - used
        int count = 0;
        if (used > 0) {
            int n = alignment - used;
            staging.put(used, bytes, bytes.position(), n);
            bytes.position(bytes.position() + n);
            gather[count++] = staging.duplicate().position(0).limit(alignment);
        }
        int whole = bytes.remaining() / alignment * alignment;
        gather[count++] = bytes.slice(bytes.position(), whole);
        bytes.position(bytes.position() + whole);
        int rest = bytes.remaining(); // less than a block
        if (rest > 0) {
            staging.put(alignment, bytes, bytes.position(), rest);
            for (int i = alignment + rest; i < 2 * alignment; i++) {
                staging.put(i, (byte) 0);
            }
            bytes.position(bytes.position() + rest);
            gather[count++] = staging.duplicate().position(alignment).limit(2 * alignment);
        }
        long end = length + (used > 0 ? alignment - used : 0) + whole + rest;
        writeFullyAt(gather, count, position, end);
        length = end;
        stagingFileOffset = end - rest;
        staging.clear();
        if (rest > 0) {
            staging.put(0, staging, alignment, rest);
            staging.position(rest);
        }
    }

    /** Cuts off the zero padding of O_DIRECT's last block: the file gets its real length. */
    void trimPadding() throws IOException {
        if (staging != null && length % alignment != 0) {
            channel.truncate(length);
        }
    }

    /**
     * Cuts the file back to {@code size} (after a failure, to a record boundary): it then ends
     * there, and appending is over until the next {@link #start}.
     */
    void cutTo(long size) throws IOException {
        channel.truncate(size);
        length = Math.min(length, size);
        written = Math.min(written, size);
    }

    private void writeFullyAt(ByteBuffer block, long position, long dataEnd) throws IOException {
        gather[0] = block;
        writeFullyAt(gather, 1, position, dataEnd);
    }

    /**
     * Writes all of {@code blocks[0..count)}, one after the other, at {@code position} (one
     * gathering write when there are several); their data ends at {@code dataEnd} (the rest is
     * padding). On an error the handler makes room and the write goes on from what reached the
     * file (whole blocks with O_DIRECT), or the handler throws.
     */
    private void writeFullyAt(ByteBuffer[] blocks, int count, long position, long dataEnd) throws IOException {
        for (int i = 0; i < count; i++) {
            gatherStart[i] = blocks[i].position();
        }
        long from = position;
        try {
            while (true) {
                long at = from;
                try {
                    if (count == 1) {
                        while (blocks[0].hasRemaining()) {
                            at += channel.write(blocks[0], at);
                        }
                    } else {
                        while (blocks[count - 1].hasRemaining()) {
                            channel.position(at);
                            at += channel.write(blocks, 0, count);
                        }
                    }
                    written = Math.max(written, dataEnd);
                    return;
                } catch (IOException e) {
                    written = Math.max(written, Math.min(at, dataEnd));
                    onError.handle(OutOfSpaceException.recognise(e));
                    from = staging == null ? at : position + (at - position) / alignment * alignment;
                    long skip = from - position; // back to the first byte not known to be in the file
                    for (int i = 0; i < count; i++) {
                        int size = blocks[i].limit() - gatherStart[i];
                        int done = (int) Math.min(skip, size);
                        blocks[i].position(gatherStart[i] + done);
                        skip -= done;
                    }
                }
            }
        } finally {
            for (int i = 0; i < count; i++) {
                blocks[i] = null; // no view of ring memory kept past the call
            }
        }
    }

    private long alignUp(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }
}
