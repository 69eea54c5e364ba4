package gulp.cli;

import gulp.run.Options;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -i}: several interfaces add up (never replace each other); {@code any} and {@code -} stand alone; {@code -D}. */
class InterfaceOptionTest {
    private static Options parse(String... args) throws UsageException {
        return OptionParser.parse(args);
    }

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> parse(args)).getMessage();
    }

    @Test
    void aSecondInterfaceIsAddedNotSubstituted() throws Exception {
        Options o = parse("-i", "eth1", "-i", "eth2");
        assertEquals(List.of("eth1", "eth2"), o.interfaces);
        assertEquals("eth1", o.interfaceName);
        assertEquals(Options.Mode.LIVE, o.mode());
    }

    @Test
    void commaListsAndRepeatedOptionsAddUpInOrder() throws Exception {
        assertEquals(List.of("eth1", "eth2", "eth3"), parse("-i", "eth1,eth2", "--interface=eth3").interfaces);
        assertEquals(List.of("any"), parse("-i", "any").interfaces);
    }

    @Test
    void repeatedEmptyAndMixedInterfacesAreRefused() {
        assertEquals("-i eth1 is given twice", refusal("-i", "eth1,eth2", "-i", "eth1"));
        assertEquals("-i eth1,,eth2: empty interface name", refusal("-i", "eth1,,eth2"));
        assertTrue(refusal("-i", "any", "-i", "eth1").startsWith("-i any already captures every interface"));
        assertTrue(refusal("-i", "eth1,any").startsWith("-i any already captures every interface"));
        assertEquals("-i - (stdin) cannot be combined with another -i", refusal("-i", "-", "-i", "eth1"));
        assertEquals("-i - (stdin) cannot be combined with another -i", refusal("-i", "eth1", "-i", "-"));
    }

    @Test
    void stdinStaysACaptureStream() throws Exception {
        Options o = parse("-i", "-");
        assertEquals(Options.Mode.CAPTURE_FILES, o.mode());
        assertTrue(o.interfaces.isEmpty());
    }

    @Test
    void listInterfacesHasAShortAndALongForm() throws Exception {
        assertTrue(parse("-D").listInterfaces);
        assertTrue(parse("--list-interfaces").listInterfaces);
    }
}
