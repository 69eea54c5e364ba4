package gulp.capture;

import gulp.stats.InterfaceFigures;

import java.io.IOException;

/** Where packets come from: a live interface, or a capture stream (stdin, files). */
public interface Source extends AutoCloseable {
    /** For the start-up line, e.g. {@code "stdin (pcap, microseconds)"}. */
    String describe();

    /** The link type of the frames this source produces (LINKTYPE_*), known once it is open. */
    int linkType();

    /**
     * The link-type field for the output's header: {@link #linkType()} plus, for a capture file,
     * the upper bits of its field (the FCS length), which libpcap copies unchanged too.
     */
    default int linkTypeField() {
        return linkType();
    }

    /**
     * For capture files, the classic pcap file header libpcap would see for this input (byte order,
     * link-type field, snap length), so that a filter is compiled as {@code tcpdump -r FILE EXPR}
     * compiles it; null for a live interface.
     */
    default byte[] savefileHeader() {
        return null;
    }

    /**
     * Per-interface figures of this source, read from any thread (pcapng statistics, metrics), or
     * null when the run's totals are the one interface's ({@link InterfaceFigures#single}).
     */
    default InterfaceFigures interfaceFigures() {
        return null;
    }

    /** Lines about the input for the end-of-run report (none by default). */
    default void appendSummary(StringBuilder report) {
    }

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
