package gulp.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@link VethPair} and {@link VethPairs} share: two fresh network namespaces with a unique tag
 * and no IPv6 chatter, removed again on close, and the JUnit 5 life cycle of a test bed. As a
 * class extension ({@code @RegisterExtension static final VethPair bed = VethPair.testBed();}) the
 * bed is built before the class's tests (skipped without root, ip and nft, or a tool named) and
 * removed after them; {@code create()} builds one at once for a test of its own.
 */
public abstract sealed class TestBed implements AutoCloseable, BeforeAllCallback, AfterAllCallback
        permits VethPair, VethPairs {
    public final String senderNamespace;
    public final String captureNamespace;
    private final String[] tools;

    TestBed(String tag, String... tools) {
        senderNamespace = "gt-" + tag + "-s";
        captureNamespace = "gt-" + tag + "-c";
        this.tools = tools;
    }

    static String freshTag() {
        return Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    /** The veth pairs and the rest, once both namespaces exist. */
    abstract void setUp();

    /** Builds the bed; removes what was made if that fails. */
    final void build() {
        try {
            for (String ns : new String[] {senderNamespace, captureNamespace}) {
                Tools.check("ip", "netns", "add", ns);
                // No IPv6 router solicitations or MLD reports in the captures.
                Tools.check("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                        "net.ipv6.conf.default.disable_ipv6=1");
            }
            setUp();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        assumeTrue(Tools.canBuildTestBed(), "needs root, ip and nft");
        for (String tool : tools) {
            assumeTrue(Tools.run(tool, "--version").status() == 0, "needs " + tool);
        }
        build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        Tools.run("ip", "netns", "del", senderNamespace);
        Tools.run("ip", "netns", "del", captureNamespace);
    }
}
