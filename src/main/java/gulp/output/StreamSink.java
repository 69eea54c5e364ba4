package gulp.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * One output stream (stdout to a pipe, terminal or socket): the header once, then everything the
 * writer drains. A stream cannot be cut back: after a failed write it ends where the write stopped.
 */
public final class StreamSink implements Sink {
    private final WritableByteChannel channel;
    private final String name;
    private boolean headerPending;
    private final ByteBuffer header;
    private long failedCallProgress;

    /** {@code fileHeader} may be empty (opaque {@code -c} copies have none). */
    public StreamSink(WritableByteChannel channel, String name, byte[] fileHeader) {
        this.channel = channel;
        this.name = name;
        this.header = ByteBuffer.wrap(fileHeader);
        this.headerPending = fileHeader.length > 0;
    }

    /** Writes the file header now, so even a run that captures nothing leaves a valid file. */
    public void writeHeader() throws IOException {
        if (headerPending) {
            writeFully(header);
            headerPending = false;
        }
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        writeHeader();
        int start = bytes.position();
        try {
            writeFully(bytes);
        } catch (IOException | RuntimeException e) {
            failedCallProgress = bytes.position() - start;
            throw e;
        }
    }

    @Override
    public long failedWriteProgress() {
        return failedCallProgress;
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public void close() throws IOException {
        writeHeader();
        channel.close();
    }

    @Override
    public String describe() {
        return name;
    }
}
