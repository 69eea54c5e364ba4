package gulp.cli;

import gulp.capture.NetInterface;
import gulp.decap.Sll2Header;

import java.util.List;

/**
 * {@code gulp -D} / {@code --list-interfaces}: the interfaces of this network namespace that gulp
 * can capture on, numbered like {@code tcpdump -D}, each with its state, the link type gulp
 * writes it as and its speed where the kernel knows it; {@code any} last.
 * <pre>
 * 1.eth0 [Up, Running] Ethernet (link type 1), 1000 Mb/s
 * 2.lo [Up, Running, Loopback] loopback (Ethernet framing) (link type 1), speed unknown
 * 3.tun0 [Up, Running] raw IP (link type 101, with -F), speed unknown
 * 4.any [Up, Running] every interface, Linux cooked v2 (link type 276)
 * </pre>
 */
final class InterfaceList {
    private InterfaceList() {
    }

    static String text() {
        return text(NetInterface.all());
    }

    static String text(List<NetInterface> interfaces) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (NetInterface device : interfaces) {
            int linkType = device.linkType();
            if (linkType < 0) {
                continue; // no pcap mapping: gulp cannot capture it
            }
            b.append(++n).append('.').append(device.name()).append(" [").append(device.isUp() ? "Up" : "Down");
            if (device.isRunning()) {
                b.append(", Running");
            }
            if (device.isLoopback()) {
                b.append(", Loopback");
            }
            b.append("] ").append(device.linkName()).append(" (link type ").append(linkType)
                    .append(device.isEthernet() ? "" : ", with -F").append("), ");
            long speed = device.speedMbps();
            b.append(speed > 0 ? speed + " Mb/s" : "speed unknown").append('\n');
        }
        b.append(++n).append(".any [Up, Running] every interface, Linux cooked v2 (link type ").append(Sll2Header.LINKTYPE)
                .append(")\n");
        return b.toString();
    }
}
