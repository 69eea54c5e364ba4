package gulp.filter;

import gulp.decap.DecapConfig;
import gulp.decap.OuterLink;
import gulp.decap.Sll2Header;

import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code -f EXPR} runs, and the programs for each place: in the kernel (rejected packets are
 * never copied), in the kernel on the inner frame for the fixed-length tunnel shapes with the
 * rest in user space ({@code -d -f}, see {@link InnerFilterProgram}), or in user space only.
 * Each program is compiled as tcpdump compiles it for the same input: from the file's header for
 * a capture file ({@code tcpdump -r}), on a live libpcap handle for an interface ({@code tcpdump
 * -i}: {@code vlan} then tests the tag the kernel removed from the frame), for Ethernet when it
 * applies to decapsulated frames.
 */
public final class FilterPlacement {
    /** Where the filter runs. */
    public enum Place { NONE, KERNEL, KERNEL_AND_USER, USER }

    private static final FilterPlacement NONE = new FilterPlacement(Place.NONE, null, null, null, List.of(), null);

    private final Place place;
    private final BpfProgram kernelProgram;
    private final BpfProgram userProgram;
    private final BpfProgram userLiveProgram;
    private final List<String> kernelShapeNames;
    private final String warning;

    private FilterPlacement(Place place, BpfProgram kernelProgram, BpfProgram userProgram, BpfProgram userLiveProgram,
                            List<String> kernelShapeNames, String warning) {
        this.place = place;
        this.kernelProgram = kernelProgram;
        this.userProgram = userProgram;
        this.userLiveProgram = userLiveProgram;
        this.kernelShapeNames = kernelShapeNames;
        this.warning = warning;
    }

    /**
     * For capture files: in user space, compiled from the file's header as {@code tcpdump -r}
     * compiles it, or for Ethernet with {@code -d} (the filter then sees the decapsulated frame).
     *
     * @param expression null for no filter
     */
    public static FilterPlacement forCaptureFile(String expression, int linkType, byte[] savefileHeader, int snaplen,
                                                 boolean decapsulate) throws FilterException {
        if (expression == null) {
            return NONE;
        }
        BpfProgram program = decapsulate || savefileHeader == null
                ? FilterCompiler.compile(expression, decapsulate ? OuterLink.ETHERNET.linkType : linkType, snaplen)
                : FilterCompiler.compileForSavefile(expression, savefileHeader, snaplen);
        return new FilterPlacement(Place.USER, null, program, null, List.of(), null);
    }

    /**
     * For a live interface. Without {@code -d}: in the kernel. With {@code -d}: the fixed-length
     * shapes {@code decap} asks for are filtered in the kernel on their inner frame and the rest
     * arrive whole for user space — unless the kernel cannot help ({@code --keep-other}: plain
     * packets must reach user space too; an outer link layer other than Ethernet; a filter too
     * long to repeat per shape): then user space only.
     *
     * @param expression null for no filter
     * @param decap      null without {@code -d}
     * @param link       the outer link layer decapsulation reads (with {@code -d})
     */
    public static FilterPlacement forInterface(String expression, String interfaceName, int linkType, int snaplen,
                                               DecapConfig decap, OuterLink link) throws FilterException {
        if (expression == null) {
            return NONE;
        }
        if (decap == null) {
            // As tcpdump -i compiles it; the dead-handle program only when libpcap cannot open the
            // interface (compiled then, not before: libpcap is not asked twice at start-up).
            String[] why = new String[1];
            BpfProgram live = FilterCompiler.compileForInterface(expression, interfaceName, snaplen,
                    linkType == Sll2Header.LINKTYPE ? linkType : 0, why);
            String warning = null;
            if (live == null) {
                live = FilterCompiler.compile(expression, linkType, snaplen);
                if (expression.matches("(?s).*\\bvlan\\b.*")) {
                    warning = "warning: libpcap cannot open " + interfaceName + " (" + why[0] + "), so the filter is compiled"
                            + " as for a capture file: 'vlan' cannot match the outer tag, which the kernel removes";
                }
            }
            if (linkType == Sll2Header.LINKTYPE) { // -i any: the cooked socket's filter sees no SLL2 header
                BpfProgram onSocket = CookedSocketProgram.forSocket(live);
                if (onSocket == null) {
                    return new FilterPlacement(Place.USER, null, FilterCompiler.compile(expression, linkType, snaplen), null,
                            List.of(), warning);
                }
                live = onSocket;
            }
            return new FilterPlacement(Place.KERNEL, live, null, null, List.of(), warning);
        }
        BpfProgram program = FilterCompiler.compile(expression, OuterLink.ETHERNET.linkType, snaplen);
        if (!decap.keepOther() && link == OuterLink.ETHERNET) { // the shapes check Ethernet outer headers
            List<EncapShape> shapes = kernelShapes(decap);
            try {
                return new FilterPlacement(Place.KERNEL_AND_USER, InnerFilterProgram.build(program, shapes, true), program,
                        null, InnerFilterProgram.shapeNames(shapes), null);
            } catch (FilterException e) {
                // Too long for the kernel: user space only.
            }
        }
        BpfProgram live = null;
        if (decap.keepOther()) {
            // Packets kept as they came are filtered as tcpdump -i would (outer VLAN tag from the
            // kernel's metadata); decapsulated frames with the Ethernet program.
            live = FilterCompiler.compileForInterface(expression, interfaceName, snaplen, new String[1]);
        }
        return new FilterPlacement(Place.USER, null, program, live, List.of(), null);
    }

    /** The fixed-length shapes of each kind the kernel can check before running the inner filter. */
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

    public Place place() {
        return place;
    }

    /** The program to attach to the socket, or null. */
    public BpfProgram kernelProgram() {
        return kernelProgram;
    }

    /** The program user space runs on each (with {@code -d}: decapsulated) frame, or null. */
    public BpfProgram userProgram() {
        return userProgram;
    }

    /**
     * The filter as compiled for the live interface, for the packets written as they came
     * ({@code --keep-other}): it reads the VLAN tag and packet type the kernel keeps beside the
     * frame, as in the kernel. Null when {@link #userProgram} serves those too.
     */
    public BpfProgram userLiveProgram() {
        return userLiveProgram;
    }

    /** A warning to show once (the live compile failed for a filter that tests VLAN tags), or null. */
    public String warning() {
        return warning;
    }

    /** For a live run's start-up line: " (in the kernel)" and the like; empty for files and no filter. */
    public String describeLive() {
        return switch (place) {
            case NONE -> "";
            case KERNEL -> " (in the kernel)";
            case KERNEL_AND_USER -> " (in the kernel for " + String.join(", ", kernelShapeNames)
                    + "; other encapsulations in user space)";
            case USER -> " (in user space)";
        };
    }
}
