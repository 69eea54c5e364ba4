package gulp.linux;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The user database through getpwnam_r, and this thread's capabilities through capget. */
class PasswdAndCapabilitiesTest {
    @Test
    void rootIsUidZeroAndAMissingUserIsNull() throws Exception {
        Passwd.User root = Passwd.lookup("root");
        assertNotNull(root);
        assertEquals(0, root.uid());
        assertEquals(0, root.gid());
        assertEquals("/root", root.home());
        assertNull(Passwd.lookup("no-such-user-for-gulp"));
    }

    @Test
    void rootsThreadHasCapNetRawAndANameForEachKnownCapability() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root");
        Capabilities.Sets sets = Capabilities.ofThisThread();
        assertTrue(sets.hasEffective(Capabilities.CAP_NET_RAW));
        assertEquals("CAP_NET_RAW, CAP_SYS_NICE",
                Capabilities.names(Capabilities.bit(Capabilities.CAP_NET_RAW) | Capabilities.bit(Capabilities.CAP_SYS_NICE)));
        assertEquals("none", Capabilities.names(0));
    }
}
