package gulp.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A private test bed: two fresh network namespaces joined by a veth pair with unique names. The
 * sender side sends; the capture side has no address and an nftables netdev ingress "drop" sink,
 * so frames reach the AF_PACKET taps and go nowhere else. Nothing is routed anywhere. Close
 * removes both namespaces (and with them the veth pair).
 */
public final class VethPair implements AutoCloseable {
    public static final String SENDER_MAC = "02:50:00:00:00:01";
    public static final String CAPTURE_MAC = "02:50:00:00:00:02";

    public final String senderNamespace;
    public final String captureNamespace;
    public final String senderInterface;
    public final String captureInterface;

    private VethPair(String tag) {
        senderNamespace = "gt-" + tag + "-s";
        captureNamespace = "gt-" + tag + "-c";
        senderInterface = "gt" + tag + "s";
        captureInterface = "gt" + tag + "c";
    }

    public static VethPair create() {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        VethPair pair = new VethPair(tag);
        try {
            pair.setUp();
        } catch (RuntimeException | AssertionError e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    private void setUp() {
        Tools.check("ip", "netns", "add", senderNamespace);
        Tools.check("ip", "netns", "add", captureNamespace);
        for (String ns : new String[] {senderNamespace, captureNamespace}) {
            // No IPv6 router solicitations or MLD reports in the captures.
            Tools.check("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
        }
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

    @Override
    public void close() {
        Tools.run("ip", "netns", "del", senderNamespace);
        Tools.run("ip", "netns", "del", captureNamespace);
    }
}
