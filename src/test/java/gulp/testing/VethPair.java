package gulp.testing;

/**
 * A private test bed: two fresh network namespaces joined by a veth pair with unique names. The
 * sender side sends; the capture side has no address and an nftables netdev ingress "drop" sink,
 * so frames reach the AF_PACKET taps and go nowhere else. Nothing is routed anywhere. Close
 * removes both namespaces (and with them the veth pair).
 */
public final class VethPair extends TestBed {
    public static final String SENDER_MAC = "02:50:00:00:00:01";
    public static final String CAPTURE_MAC = "02:50:00:00:00:02";

    public final String senderInterface;
    public final String captureInterface;

    private VethPair(String tag, String... tools) {
        super(tag, tools);
        senderInterface = "gt" + tag + "s";
        captureInterface = "gt" + tag + "c";
    }

    /** A pair built at once; close removes it. */
    public static VethPair create() {
        VethPair pair = new VethPair(freshTag());
        pair.build();
        return pair;
    }

    /** A pair for {@code @RegisterExtension}: built before the class's tests, removed after them. */
    public static VethPair testBed(String... tools) {
        return new VethPair(freshTag(), tools);
    }

    @Override
    void setUp() {
        Tools.check("ip", "link", "add", senderInterface, "netns", senderNamespace, "address", SENDER_MAC, "type", "veth",
                "peer", "name", captureInterface, "netns", captureNamespace, "address", CAPTURE_MAC);
        Tools.check("ip", "-n", senderNamespace, "link", "set", senderInterface, "up");
        Tools.check("ip", "-n", captureNamespace, "link", "set", captureInterface, "up");
        Tools.check("ip", "netns", "exec", captureNamespace, "nft", "add table netdev gtsink { chain in { type filter hook ingress"
                + " device \"" + captureInterface + "\" priority 0; policy drop; }; }");
    }

    /** A statistic of the capture-side interface from sysfs, e.g. "rx_packets". */
    public long captureStatistic(String name) {
        return Long.parseLong(Tools.check("ip", "netns", "exec", captureNamespace, "cat",
                "/sys/class/net/" + captureInterface + "/statistics/" + name).trim());
    }
}
