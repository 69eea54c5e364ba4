package gulp.output;

import gulp.format.FileEnvelope;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * One output stream (stdout to a pipe, terminal or socket): the envelope's header once, then
 * everything the writer drains, then its trailer. A stream cannot be cut back: after a failed
 * write it ends where the write stopped (and gets no trailer).
 */
public final class StreamSink implements Sink {
    private final WritableByteChannel channel;
    private final String name;
    private final FileEnvelope envelope;
    private boolean headerPending = true;
    private boolean failed;
    private long failedCallProgress;

    /** {@code envelope}'s header may be empty (opaque {@code -c} copies have none). */
    public StreamSink(WritableByteChannel channel, String name, FileEnvelope envelope) {
        this.channel = channel;
        this.name = name;
        this.envelope = envelope;
    }

    /** Writes the file header now, so even a run that captures nothing leaves a valid file. */
    public void writeHeader() throws IOException {
        if (headerPending) {
            headerPending = false;
            writeFully(ByteBuffer.wrap(envelope.header()));
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
            failed = true;
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
        try (channel) {
            if (!failed) {
                writeHeader();
                writeFully(ByteBuffer.wrap(envelope.trailer()));
            }
        }
    }

    @Override
    public String describe() {
        return name;
    }
}
