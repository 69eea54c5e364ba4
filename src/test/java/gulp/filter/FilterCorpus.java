package gulp.filter;

import java.util.List;

/** Filter expressions used across the tests; together they exercise every instruction class libpcap emits. */
final class FilterCorpus {
    private FilterCorpus() {}

    static final List<String> EXPRESSIONS = List.of(
            "udp",
            "tcp port 80",
            "udp port 53",
            "vlan",
            "vlan and udp",
            "vlan 100",
            "greater 200",
            "less 100",
            "len >= 100 and len <= 300",
            "ip[9]=47",
            "icmp or arp",
            "ether[0] & 1 != 0",
            "ip6",
            "ip6 and tcp",
            "net 10.0.0.0/8",
            "host 192.168.56.11",
            "udp port 4789",
            "udp port 6081",
            "proto gre",
            "tcp[tcpflags] & tcp-syn != 0",
            "ip[2:2] > 500",
            "ip[6:2] & 0x1fff != 0",
            "portrange 1000-2000",
            "not ip",
            "ip[ip[0] & 0xf] > 100",
            "ip[8] % 3 = 1",
            "ip[8] / 4 > 10",
            "ip[8] * 3 > 200",
            "ip[8] - ip[1] > 5",
            "ip[1] << 2 > 100",
            "ip[8] >> 1 = 32",
            "(ip[8] ^ 0xff) = 0xc0",
            "ip[8] | 1 = 65",
            "len - 14 > ip[2:2]",
            "icmp6");
}
