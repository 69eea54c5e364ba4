package gulp.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A private test bed with two capture interfaces: two fresh network namespaces joined by two
 * veth pairs with unique names ({@code gtTAGa}/{@code gtTAGac}, {@code gtTAGb}/{@code gtTAGbc}).
 * The sender side sends; the capture side has no address, its loopback up, and an nftables
 * netdev ingress "drop" sink on both interfaces, so frames reach the AF_PACKET taps and go
 * nowhere else. Close removes both namespaces (and with them the veth pairs).
 */
public final class VethPairs implements AutoCloseable {
    public final String senderNamespace;
    public final String captureNamespace;
    public final String[] senderInterfaces;
    public final String[] captureInterfaces;

    private VethPairs(String tag) {
        senderNamespace = "gt-" + tag + "-s";
        captureNamespace = "gt-" + tag + "-c";
        senderInterfaces = new String[] {"gt" + tag + "a", "gt" + tag + "b"};
        captureInterfaces = new String[] {"gt" + tag + "ac", "gt" + tag + "bc"};
    }

    public static VethPairs create() {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        VethPairs bed = new VethPairs(tag);
        try {
            bed.setUp();
        } catch (RuntimeException | AssertionError e) {
            bed.close();
            throw e;
        }
        return bed;
    }

    private void setUp() {
        Tools.check("ip", "netns", "add", senderNamespace);
        Tools.check("ip", "netns", "add", captureNamespace);
        for (String ns : new String[] {senderNamespace, captureNamespace}) {
            // No IPv6 router solicitations or MLD reports in the captures.
            Tools.check("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
        }
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

    @Override
    public void close() {
        Tools.run("ip", "netns", "del", senderNamespace);
        Tools.run("ip", "netns", "del", captureNamespace);
    }
}
