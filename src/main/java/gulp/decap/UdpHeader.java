package gulp.decap;

/**
 * UDP header (RFC 768).
 * <pre>
 * +----------------+----------------+----------------+----------------+
 * | source port(16)| dest. port(16) | length(16)     | checksum(16)   |
 * +----------------+----------------+----------------+----------------+
 * </pre>
 * Length 0 (IPv6 jumbograms, GSO captures) means "to the end of the IP payload".
 */
public final class UdpHeader {
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int LENGTH = 8;

    private UdpHeader() {}
}
