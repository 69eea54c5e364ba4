package gulp.cli;

import gulp.decap.DecapConfig;
import gulp.decap.Decapsulator;
import gulp.decap.OuterLink;
import gulp.filter.BpfInterpreter;
import gulp.filter.BpfProgram;
import gulp.filter.FilterCompiler;
import gulp.filter.EncapShape;
import gulp.filter.FilterException;
import gulp.filter.InnerFilterProgram;
import gulp.format.LinkType;
import gulp.pipeline.PacketPath;
import gulp.stats.Report;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets up what the reader does to each packet besides storing it: decapsulation ({@code -d}) and
 * the user-space side of {@code -f} (which, with {@code -d}, filters the inner frame).
 */
final class PacketProcessing {

    private final Decapsulator decapsulator;
    private final BpfProgram filterProgram;
    private final String filterExpression;

    private PacketProcessing(Decapsulator decapsulator, BpfProgram filterProgram, String filterExpression) {
        this.decapsulator = decapsulator;
        this.filterProgram = filterProgram;
        this.filterExpression = filterExpression;
    }

    /** {@code create(options, linkType, null)}: for live input. */
    static PacketProcessing create(Options options, int linkType) throws SetupException {
        return create(options, linkType, null);
    }

    /**
     * @param linkType of the input (decapsulation reads Ethernet, Linux cooked and raw IP)
     * @param savefileHeader for capture files, the header libpcap compiles the filter against (as
     *                       for {@code tcpdump -r}); null for live input
     * @throws SetupException with the one line to show
     */
    static PacketProcessing create(Options options, int linkType, byte[] savefileHeader) throws SetupException {
        Decapsulator decapsulator = null;
        if (options.decapsulate) {
            OuterLink link = OuterLink.of(linkType);
            if (link == null) {
                throw new SetupException(Main.EXIT_INPUT, "-d reads " + OuterLink.SUPPORTED + "; this input has link type " + linkType);
            }
            if (options.keepOther && link != OuterLink.ETHERNET) {
                throw new SetupException(Main.EXIT_INPUT, "--keep-other needs Ethernet input (the other packets would be written"
                        + " unchanged into the Ethernet output); this input has link type " + linkType);
            }
            decapsulator = new Decapsulator(decapConfig(options), link);
        }
        BpfProgram program = null;
        if (options.filter != null) {
            // With -d the filter applies to the decapsulated frame, which is Ethernet.
            program = options.decapsulate || savefileHeader == null
                    ? compile(options.filter, options.decapsulate ? LinkType.ETHERNET : linkType, options.snaplen)
                    : compileForSavefile(options.filter, savefileHeader, options.snaplen);
        }
        return new PacketProcessing(decapsulator, program, options.filter);
    }

    static DecapConfig decapConfig(Options options) throws SetupException {
        try {
            DecapConfig.Builder builder = DecapConfig.builder()
                    .vxlanPort(options.vxlanPort)
                    .genevePort(options.genevePort)
                    .keepOther(options.keepOther)
                    .useErspanHardwareTime(options.erspanTime);
            if (options.decapKinds != null) {
                builder.kinds(DecapConfig.parseKinds(options.decapKinds));
            }
            if (options.erspanSessions != null) {
                builder.erspanSessions(DecapConfig.parseErspanSessions(options.erspanSessions));
            }
            if (options.vnis != null) {
                builder.vnis(DecapConfig.parseVnis(options.vnis));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new SetupException(Main.EXIT_USAGE, e.getMessage());
        }
    }

    static BpfProgram compile(String expression, int linkType, int snaplen) throws SetupException {
        try {
            return FilterCompiler.compile(expression, linkType, snaplen);
        } catch (FilterException e) {
            throw setupFailure(e);
        }
    }

    static BpfProgram compileForSavefile(String expression, byte[] savefileHeader, int snaplen) throws SetupException {
        try {
            return FilterCompiler.compileForSavefile(expression, savefileHeader, snaplen);
        } catch (FilterException e) {
            throw setupFailure(e);
        }
    }

    private static SetupException setupFailure(FilterException e) {
        return new SetupException(e.isLibpcapMissing() ? Main.EXIT_FAILURE : Main.EXIT_USAGE, e.getMessage());
    }

    /**
     * {@code expression} as tcpdump -i compiles it for the live interface (see
     * {@link FilterCompiler#compileForInterface}); null, with {@code why[0]} set, when libpcap
     * cannot open the interface.
     */
    static BpfProgram compileForInterface(String expression, String interfaceName, int snaplen, String[] why)
            throws SetupException {
        try {
            return FilterCompiler.compileForInterface(expression, interfaceName, snaplen, why);
        } catch (FilterException e) {
            throw setupFailure(e);
        }
    }

    BpfProgram filterProgram() {
        return filterProgram;
    }

    Decapsulator decapsulator() {
        return decapsulator;
    }

    /** Installs the stages on the reader's path (the interpreter is created for the reader thread). */
    void install(PacketPath path, Report report) {
        install(path, report, null);
    }

    /**
     * As {@link #install(PacketPath, Report)}; {@code liveProgram}, when not null, is the filter as
     * compiled for the live interface, for the packets written as they came ({@code --keep-other}):
     * it reads the VLAN tag and packet type the kernel keeps beside the frame, as in the kernel.
     */
    void install(PacketPath path, Report report, BpfProgram liveProgram) {
        if (filterProgram != null) {
            try {
                BpfInterpreter interpreter = new BpfInterpreter(filterProgram);
                PacketPath.PacketFilter filter = (data, offset, caplen, wirelen, vlanTag, packetType)
                        -> interpreter.matches(data, offset, caplen, wirelen);
                PacketPath.PacketFilter other = filter;
                if (liveProgram != null) {
                    BpfInterpreter live = BpfInterpreter.forLiveFrames(liveProgram);
                    other = live::matches;
                }
                path.setFilter(filter, other);
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

    /**
     * The program to attach to a live socket with {@code -d -f}: the inner filter relocated behind
     * a check of each fixed-length encapsulation the decapsulator is asked for, while shapes the
     * kernel cannot check go whole to user space (where the same filter runs on the inner frame).
     * Null when the kernel cannot help: {@code --keep-other} (plain packets must reach user space
     * too), an outer link layer other than Ethernet, or a filter too long to repeat per shape.
     */
    KernelInnerFilter kernelInnerFilter() {
        if (decapsulator == null || filterProgram == null || decapsulator.config().keepOther()
                || decapsulator.link() != OuterLink.ETHERNET) {
            return null; // the shapes check Ethernet outer headers
        }
        List<EncapShape> shapes = kernelShapes(decapsulator.config());
        try {
            return new KernelInnerFilter(InnerFilterProgram.build(filterProgram, shapes, true),
                    InnerFilterProgram.shapeNames(shapes));
        } catch (FilterException e) {
            return null;
        }
    }

    /** A kernel program for {@code -d -f} and the names of the shapes it checks itself. */
    record KernelInnerFilter(BpfProgram program, List<String> shapeNames) {
    }

    static List<EncapShape> kernelShapes(DecapConfig config) {
        List<EncapShape> shapes = new ArrayList<>();
        for (var kind : config.kinds()) {
            switch (kind) {
                case ERSPAN -> shapes.addAll(List.of(EncapShape.erspanII(), EncapShape.erspanIII(), EncapShape.erspanI()));
                case GRE -> shapes.addAll(List.of(EncapShape.greTeb(), EncapShape.greTebWithKey()));
                case VXLAN -> shapes.add(EncapShape.vxlan(config.vxlanPort()));
                case GENEVE -> shapes.add(EncapShape.geneve(config.genevePort()));
            }
        }
        return shapes;
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
        if (filterProgram != null) {
            b.append(b.isEmpty() ? "" : "; ").append("filter '").append(filterExpression).append('\'')
                    .append(decapsulator != null ? " on the inner frame" : "");
        }
        return b.toString();
    }
}
