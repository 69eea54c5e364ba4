package gulp.run;

import gulp.decap.DecapConfig;
import gulp.decap.Decapsulator;
import gulp.decap.OuterLink;
import gulp.filter.BpfInterpreter;
import gulp.filter.FilterException;
import gulp.filter.FilterPlacement;
import gulp.pipeline.PacketPath;
import gulp.stats.Report;

/**
 * Sets up what the reader does to each packet besides storing it: decapsulation ({@code -d}) and
 * {@code -f}, placed by {@link FilterPlacement} (which, with {@code -d}, filters the inner frame).
 */
final class PacketProcessing {
    private final Decapsulator decapsulator;
    private final FilterPlacement filter;
    private final String filterExpression;

    private PacketProcessing(Decapsulator decapsulator, FilterPlacement filter, String filterExpression) {
        this.decapsulator = decapsulator;
        this.filter = filter;
        this.filterExpression = filterExpression;
    }

    /**
     * @param linkType       of the input (decapsulation reads Ethernet, Linux cooked and raw IP)
     * @param savefileHeader for capture files, the header libpcap compiles the filter against (as
     *                       for {@code tcpdump -r})
     * @param interfaceName  for live capture, the interface the filter is compiled for (as for
     *                       {@code tcpdump -i}); null for capture files
     * @throws SetupException with the one line to show
     */
    static PacketProcessing create(RunSettings settings, int linkType, byte[] savefileHeader, String interfaceName)
            throws SetupException {
        Options options = settings.options();
        Decapsulator decapsulator = null;
        OuterLink link = null;
        if (settings.decap() != null) {
            link = OuterLink.of(linkType);
            if (link == null) {
                throw new SetupException(Outcome.Status.BAD_INPUT, "-d reads " + OuterLink.SUPPORTED + "; this input has link type " + linkType);
            }
            if (options.keepOther && link != OuterLink.ETHERNET) {
                throw new SetupException(Outcome.Status.BAD_INPUT, "--keep-other needs Ethernet input (the other packets would be written"
                        + " unchanged into the Ethernet output); this input has link type " + linkType);
            }
            decapsulator = new Decapsulator(settings.decap(), link);
        }
        FilterPlacement filter;
        try {
            filter = interfaceName == null
                    ? FilterPlacement.forCaptureFile(options.filter, linkType, savefileHeader, options.snaplen, options.decapsulate)
                    : FilterPlacement.forInterface(options.filter, interfaceName, linkType, options.snaplen, settings.decap(), link);
        } catch (FilterException e) {
            throw setupFailure(e);
        }
        return new PacketProcessing(decapsulator, filter, options.filter);
    }

    /**
     * The filter for another interface of a live run (several {@code -i}): compiled for that
     * interface, as {@code tcpdump -i} would; only its kernel program differs from {@link #filter()}.
     */
    FilterPlacement filterFor(RunSettings settings, String interfaceName, int linkType) throws SetupException {
        Options options = settings.options();
        try {
            return FilterPlacement.forInterface(options.filter, interfaceName, linkType, options.snaplen, settings.decap(),
                    settings.decap() == null ? null : OuterLink.of(linkType));
        } catch (FilterException e) {
            throw setupFailure(e);
        }
    }

    private static SetupException setupFailure(FilterException e) {
        return new SetupException(e.isLibpcapMissing() ? Outcome.Status.FAILED : Outcome.Status.BAD_USAGE, e.getMessage());
    }

    FilterPlacement filter() {
        return filter;
    }

    /** The decapsulator ({@code -d}), or null; its counters are read by the metrics. */
    Decapsulator decapsulator() {
        return decapsulator;
    }

    /**
     * Installs the user-space stages on the reader's path (the interpreters are created for the
     * reader thread): the filter where {@link FilterPlacement} puts it in user space, and the
     * decapsulator with its report sections.
     */
    void install(PacketPath path, Report report) {
        if (filter.userProgram() != null) {
            try {
                BpfInterpreter interpreter = new BpfInterpreter(filter.userProgram());
                PacketPath.PacketFilter each = (data, offset, caplen, wirelen, vlanTag, packetType)
                        -> interpreter.matches(data, offset, caplen, wirelen);
                PacketPath.PacketFilter other = each;
                if (filter.userLiveProgram() != null) {
                    BpfInterpreter live = BpfInterpreter.forLiveFrames(filter.userLiveProgram());
                    other = live::matches;
                }
                path.setFilter(each, other);
            } catch (FilterException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        if (decapsulator != null) {
            path.setDecapsulator(decapsulator);
            report.addSection(decapsulator::appendSummary);
            var gaps = decapsulator.sequenceGaps();
            report.addStatus(() -> gaps.missingAllSessions() + " missing upstream");
        }
    }

    /** For the start-up line, e.g. {@code "decapsulating erspan,gre,vxlan:4789,geneve:6081; filter 'udp'"}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        if (decapsulator != null) {
            DecapConfig c = decapsulator.config();
            b.append("decapsulating ");
            StringBuilder kinds = new StringBuilder();
            for (var kind : c.kinds()) {
                kinds.append(kinds.isEmpty() ? "" : ",").append(kind.name().toLowerCase());
                if (kind.name().equals("VXLAN")) {
                    kinds.append(':').append(c.vxlanPort());
                } else if (kind.name().equals("GENEVE")) {
                    kinds.append(':').append(c.genevePort());
                }
            }
            b.append(kinds);
            if (c.keepOther()) {
                b.append(", keeping other packets");
            }
        }
        if (filter.place() != FilterPlacement.Place.NONE) {
            b.append(b.isEmpty() ? "" : "; ").append("filter '").append(filterExpression).append('\'')
                    .append(decapsulator != null ? " on the inner frame" : "");
        }
        return b.toString();
    }
}
