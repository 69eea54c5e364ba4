package gulp.stats;

/**
 * With {@code -d} and pcapng output, the interfaces that are mirror sessions (one per tunnel kind,
 * outer source address and ERSPAN session or VNI), and their upstream loss; read from any thread
 * for an interface whose description the reader has published.
 */
public interface SessionFigures {
    /** Whether interface {@code id} is a mirror session. */
    boolean isSession(int id);

    /** Packets the session lost upstream (ERSPAN sequence gaps), or {@link InterfaceFigures#UNKNOWN}. */
    long upstreamLoss(int id);
}
