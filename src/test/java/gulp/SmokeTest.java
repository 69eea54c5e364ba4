package gulp;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SmokeTest {
    @Test void junitRuns() { assertTrue(true); }
    @Property(tries = 10) boolean jqwikRuns(@ForAll int x) { return x == x; }
}
