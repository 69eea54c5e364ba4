package gulp.capture;

import gulp.format.LinkType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code /sys/class/net/NAME} says about one interface of this network namespace: hardware
 * type, flags, index, speed, drop counters; and the pcap link type gulp writes it as. Read at
 * start-up (and for {@code -D}), never on the packet path.
 */
public final class NetInterface {
    /** {@code -i any}: every interface of the namespace on one cooked socket (ifindex 0). */
    public static final String ANY = "any";
    static final int ARPHRD_ETHER = 1;
    static final int ARPHRD_LOOPBACK = 772;
    private static final int ARPHRD_NONE = 65534;
    private static final int ARPHRD_RAWIP = 519;
    private static final int ARPHRD_TUNNEL = 768;
    private static final int ARPHRD_TUNNEL6 = 769;
    private static final int ARPHRD_SIT = 776;
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOOPBACK = 0x8;
    private static final Path SYS = Path.of("/sys/class/net");

    private final String name;
    private final int hardwareType;
    private final long flags;

    private NetInterface(String name, int hardwareType, long flags) {
        this.name = name;
        this.hardwareType = hardwareType;
        this.flags = flags;
    }

    /** The interface called {@code name}, or null if this namespace has none. */
    public static NetInterface find(String name) {
        Path sys = SYS.resolve(name);
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || !Files.isDirectory(sys)) {
            return null;
        }
        return new NetInterface(name, (int) readNumber(sys.resolve("type"), -1), readNumber(sys.resolve("flags"), 0));
    }

    /** Every interface of this namespace, sorted by name. */
    public static List<NetInterface> all() {
        List<NetInterface> all = new ArrayList<>();
        for (String name : names()) {
            NetInterface found = find(name);
            if (found != null) {
                all.add(found);
            }
        }
        return all;
    }

    /** The interface names of this network namespace, sorted. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(SYS)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    /** "no such interface: eth9 (interfaces: eth0, lo)". */
    public static String noSuchInterface(String name) {
        return "no such interface: " + name + " (interfaces: " + String.join(", ", names()) + ")";
    }

    /** $CAP_IFACE if set, else the first interface that is up and not loopback; null if none. */
    public static String defaultName() {
        String fromEnvironment = System.getenv("CAP_IFACE");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        for (NetInterface candidate : all()) {
            if (!candidate.isLoopback() && candidate.isUp()) {
                return candidate.name;
            }
        }
        return null;
    }

    public String name() {
        return name;
    }

    public int hardwareType() {
        return hardwareType;
    }

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Running (IFF_RUNNING, which sysfs shows as carrier): the link is up as well as the interface. */
    public boolean isRunning() {
        return isUp() && readNumber(SYS.resolve(name).resolve("carrier"), 0) == 1;
    }

    public boolean isLoopback() {
        return hardwareType == ARPHRD_LOOPBACK || (flags & IFF_LOOPBACK) != 0;
    }

    /** Ethernet framing: Ethernet devices and loopback. */
    public boolean isEthernet() {
        return hardwareType == ARPHRD_ETHER || hardwareType == ARPHRD_LOOPBACK;
    }

    /** Hardware types whose packets are IP with no link-layer header: tun, ipip, sit, ip6tnl, rawip. */
    public boolean isRawIp() {
        return hardwareType == ARPHRD_NONE || hardwareType == ARPHRD_TUNNEL || hardwareType == ARPHRD_TUNNEL6
                || hardwareType == ARPHRD_SIT || hardwareType == ARPHRD_RAWIP;
    }

    /** The pcap link type gulp writes this interface's frames as (Ethernet, raw IP), or -1 for none. */
    public int linkType() {
        return isEthernet() ? LinkType.ETHERNET : isRawIp() ? LinkType.RAW : -1;
    }

    /** "Ethernet", "loopback (Ethernet framing)", "raw IP", or the hardware type. */
    public String linkName() {
        if (hardwareType == ARPHRD_ETHER) {
            return "Ethernet";
        }
        if (hardwareType == ARPHRD_LOOPBACK) {
            return "loopback (Ethernet framing)";
        }
        return isRawIp() ? "raw IP" : "hardware type " + hardwareType;
    }

    /** The link speed in Mb/s, or -1 when the kernel does not know it (virtual devices, no carrier). */
    public long speedMbps() {
        return speedMbps(name);
    }

    /** The link speed of interface {@code name} in Mb/s, or -1 when the kernel does not know it (or there is none). */
    public static long speedMbps(String name) {
        long speed = readNumber(SYS.resolve(name).resolve("speed"), -1);
        return speed <= 0 ? -1 : speed;
    }

    /** rx_missed_errors + rx_fifo_errors of the interface, or -1 if unreadable. */
    public static long drops(String name) {
        Path statistics = SYS.resolve(name).resolve("statistics");
        long missed = readNumber(statistics.resolve("rx_missed_errors"), -1);
        long fifo = readNumber(statistics.resolve("rx_fifo_errors"), -1);
        return missed < 0 || fifo < 0 ? -1 : missed + fifo;
    }

    /** The sum of {@link #drops} over every interface of the namespace, or -1 if none is readable. */
    public static long dropsOfAll() {
        long sum = -1;
        for (String name : names()) {
            long drops = drops(name);
            if (drops >= 0) {
                sum = Math.max(sum, 0) + drops;
            }
        }
        return sum;
    }

    static long readNumber(Path file, long otherwise) {
        try {
            String text = Files.readString(file).trim();
            return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return otherwise;
        }
    }
}
