package gulp.format;

/**
 * One interface a capture's packets come from, as an output file describes it (a pcapng interface
 * description block; classic pcap records only the link type): a live interface, an interface of
 * an input file, or (with {@code -d}) a mirror session.
 *
 * @param name        e.g. {@code eth1}, {@code any}, {@code erspan2 192.0.2.1 session 100}
 * @param description free text for {@code if_description} (may be empty)
 * @param linkType    LINKTYPE_* of its frames (the whole link-type field, FCS bits included)
 * @param snaplen     the snap length its frames were cut to
 * @param filter      the filter expression as the user gave it, or null
 */
public record CaptureInterface(String name, String description, int linkType, int snaplen, String filter) {
}
