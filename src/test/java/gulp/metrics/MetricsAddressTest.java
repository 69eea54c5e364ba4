package gulp.metrics;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsAddressTest {
    @Test
    void aPortAloneListensOnLoopbackOnly() {
        MetricsAddress a = MetricsAddress.parse("9100");
        assertEquals(InetAddress.ofLiteral("127.0.0.1"), a.host());
        assertEquals(9100, a.port());
    }

    @Test
    void anAddressMustBeGivenToListenElsewhere() {
        assertEquals(InetAddress.ofLiteral("0.0.0.0"), MetricsAddress.parse("0.0.0.0:9100").host());
        assertEquals(InetAddress.ofLiteral("::1"), MetricsAddress.parse("[::1]:9100").host());
        assertEquals(InetAddress.ofLiteral("::"), MetricsAddress.parse("[::]:0").host());
        assertEquals(InetAddress.ofLiteral("127.0.0.1"), MetricsAddress.parse("localhost:9100").host());
        assertEquals("[::1]:9100", MetricsAddress.parse("[::1]:9100").describe(9100));
    }

    @Test
    void namesToLookUpBadPortsAndBareIpv6AreRefusedWithOneLine() {
        for (String bad : new String[] {"host.example:9100", "300.1.1.1:9100", "", ":", "abc", "9100:", "65536",
                "-1", "[::1]", "[::1]9100", "::1:9100", "1.2.3.4:99999", " 9100x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--metrics"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
