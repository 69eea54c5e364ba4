package gulp.extract;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryQueryTest {
    @Test
    void theSubsetItReadsCanSkipFiles() {
        for (String q : new String[] {"host 10.1.2.3", "src host 10.1.2.3", "ip6 host fd00::1", "net 10.0.0.0/8", "port 53",
                "tcp port 443", "udp and dst port 53", "(host 10.0.0.1 or host 10.0.0.2) and tcp", "proto 47", "ip proto 6",
                "icmp6", "host 10.0.0.1 && port 80 || udp"}) {
            assertTrue(SummaryQuery.of(q).selective(), q);
        }
    }

    @Test
    void anythingNotUnderstoodSkipsNothing() {
        for (String q : new String[] {"not host 10.0.0.1", "host example.com", "host 10.0.0.1 or 10.0.0.2", "vlan 100",
                "ether host 02:00:00:00:00:01", "portrange 1-100", "port http", "net 10.1", "ip", "tcp[13] & 2 != 0",
                "(host 10.0.0.1", "greater 100"}) {
            assertFalse(SummaryQuery.of(q).selective(), q);
        }
        assertFalse(SummaryQuery.of(null).selective());
    }
}
