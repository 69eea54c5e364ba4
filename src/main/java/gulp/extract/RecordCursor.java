package gulp.extract;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Reads the packets of one capture file in file order, one at a time (the merge pulls from
 * several at once). After {@link #next} returned true, the accessors describe the current packet;
 * its bytes stay valid until the next call.
 */
interface RecordCursor extends AutoCloseable {
    /** Moves to the next packet; false at the end of the file (or where it is truncated). */
    boolean next() throws IOException;

    long timestampNanos();

    int caplen();

    int wirelen();

    MemorySegment data();

    long dataOffset();

    /** File offset of the current record's header, or -1 when the reader does not know it (pcapng). */
    long recordOffset();

    /** True when the file ended inside a record (the rest is ignored, as a truncated last file is). */
    boolean truncated();

    /**
     * The file's size when a read found it shorter than the length the cursor was opened with
     * (another program truncated it meanwhile), else -1.
     */
    default long shrankTo() {
        return -1;
    }

    @Override
    void close() throws IOException;
}
