package gulp.testing;

/**
 * A private test bed with two capture interfaces: two fresh network namespaces joined by two
 * veth pairs with unique names ({@code gtTAGa}/{@code gtTAGac}, {@code gtTAGb}/{@code gtTAGbc}).
 * The sender side sends; the capture side has no address, its loopback up, and an nftables
 * netdev ingress "drop" sink on both interfaces, so frames reach the AF_PACKET taps and go
 * nowhere else. Close removes both namespaces (and with them the veth pairs).
 */
public final class VethPairs extends TestBed {
    public final String[] senderInterfaces;
    public final String[] captureInterfaces;

    private VethPairs(String tag) {
        super(tag);
        senderInterfaces = new String[] {"gt" + tag + "a", "gt" + tag + "b"};
        captureInterfaces = new String[] {"gt" + tag + "ac", "gt" + tag + "bc"};
    }

    /** A bed built at once; close removes it. */
    public static VethPairs create() {
        VethPairs bed = new VethPairs(freshTag());
        bed.build();
        return bed;
    }

    /** A bed for {@code @RegisterExtension}: built before the class's tests, removed after them. */
    public static VethPairs testBed() {
        return new VethPairs(freshTag());
    }

    @Override
    void setUp() {
        Tools.check("ip", "-n", captureNamespace, "link", "set", "lo", "up");
        StringBuilder sink = new StringBuilder("add table netdev gtsink {");
        for (int i = 0; i < 2; i++) {
            Tools.check("ip", "link", "add", senderInterfaces[i], "netns", senderNamespace, "address", senderMac(i), "type",
                    "veth", "peer", "name", captureInterfaces[i], "netns", captureNamespace, "address", "02:51:00:00:01:0" + i);
            Tools.check("ip", "-n", senderNamespace, "link", "set", senderInterfaces[i], "up");
            Tools.check("ip", "-n", captureNamespace, "link", "set", captureInterfaces[i], "up");
            sink.append(" chain in").append(i).append(" { type filter hook ingress device \"").append(captureInterfaces[i])
                    .append("\" priority 0; policy drop; };");
        }
        Tools.check("ip", "netns", "exec", captureNamespace, "nft", sink.append(" }").toString());
    }

    /** The MAC address of sender interface {@code i}. */
    public static String senderMac(int i) {
        return "02:51:00:00:00:0" + i;
    }

    /** The interface index of capture interface {@code i} in the capture namespace. */
    public int captureIndex(int i) {
        return Integer.parseInt(Tools.check("ip", "netns", "exec", captureNamespace, "cat",
                "/sys/class/net/" + captureInterfaces[i] + "/ifindex").trim());
    }

    /** A statistic of capture interface {@code i} from sysfs, e.g. "rx_packets". */
    public long captureStatistic(int i, String name) {
        return Long.parseLong(Tools.check("ip", "netns", "exec", captureNamespace, "cat",
                "/sys/class/net/" + captureInterfaces[i] + "/statistics/" + name).trim());
    }
}
