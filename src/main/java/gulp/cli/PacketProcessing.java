package gulp.cli;

import gulp.decap.DecapConfig;
import gulp.decap.Decapsulator;
import gulp.filter.BpfInterpreter;
import gulp.filter.BpfProgram;
import gulp.filter.FilterCompiler;
import gulp.filter.EncapShape;
import gulp.filter.FilterException;
import gulp.filter.InnerFilterProgram;
import gulp.pipeline.PacketPath;
import gulp.stats.Report;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets up what the reader does to each packet besides storing it: decapsulation ({@code -d}) and
 * the user-space side of {@code -f} (which, with {@code -d}, filters the inner frame).
 */
final class PacketProcessing {
    private static final int LINKTYPE_ETHERNET = 1;

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
     * @param linkType of the input (decapsulation needs Ethernet)
     * @param savefileHeader for capture files, the header libpcap compiles the filter against (as
     *                       for {@code tcpdump -r}); null for live input
     * @throws SetupException with the one line to show
     */
    static PacketProcessing create(Options options, int linkType, byte[] savefileHeader) throws SetupException {
        Decapsulator decapsulator = null;
        if (options.decapsulate) {
            if (linkType != LINKTYPE_ETHERNET) {
                throw new SetupException(Main.EXIT_INPUT, "-d needs Ethernet input (link type 1); this input has link type " + linkType);
            }
            decapsulator = new Decapsulator(decapConfig(options));
        }
        BpfProgram program = null;
        if (options.filter != null) {
            // With -d the filter applies to the decapsulated frame, which is Ethernet.
            program = options.decapsulate || savefileHeader == null
                    ? compile(options.filter, options.decapsulate ? LINKTYPE_ETHERNET : linkType, options.snaplen)
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

    BpfProgram filterProgram() {
        return filterProgram;
    }

    Decapsulator decapsulator() {
        return decapsulator;
    }

    /** Installs the stages on the reader's path (the interpreter is created for the reader thread). */
    void install(PacketPath path, Report report) {
        if (filterProgram != null) {
            try {
                BpfInterpreter interpreter = new BpfInterpreter(filterProgram);
                path.setFilter(interpreter::matches);
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
     * too) or a filter too long to repeat per shape.
     */
    KernelInnerFilter kernelInnerFilter() {
        if (decapsulator == null || filterProgram == null || decapsulator.config().keepOther()) {
            return null;
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
