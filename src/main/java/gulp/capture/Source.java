package gulp.capture;

import java.io.IOException;

/** Where packets come from: a live interface, or a capture stream (stdin, files). */
public interface Source extends AutoCloseable {
    /** For the start-up line, e.g. {@code "stdin (pcap, microseconds)"}. */
    String describe();

    /** The link type of the frames this source produces (LINKTYPE_*), known once it is open. */
    int linkType();

    /**
     * True for input that can wait (files, pipes): the reader waits for room in the ring and
     * nothing is lost. False for live interfaces: when the ring is full the packet is dropped and
     * counted, and the reader goes on returning kernel blocks.
     */
    boolean waitsWhenFull();

    /**
     * Reads until the end of input or until {@link PacketHandler#stopRequested()}; every complete
     * packet before a problem has been handed over when this throws.
     */
    void run(PacketHandler handler) throws InputException, IOException;

    @Override
    default void close() throws IOException {
    }
}
