package gulp.filter;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import gulp.testing.FuzzSeeds;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Coverage-guided fuzzing of {@link BpfProgram#parse}, the {@code tcpdump -dd} text loader (docs/fuzzing.md). */
public class BpfProgramTextFuzzTest {
    /**
     * The {@code tcpdump -dd} text loader: any text is a program or a {@link FilterException},
     * and a program it returns prints back to text that loads as the same program.
     */
    @FuzzTest(maxDuration = "12s")
    void ddTextLoadsOrIsRefused(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        BpfProgram program;
        try {
            program = BpfProgram.parse(text);
        } catch (FilterException refused) {
            return;
        }
        try {
            assertEquals(program, BpfProgram.parse(program.toDdString()));
        } catch (FilterException e) {
            throw new AssertionError("its own -dd text refused: " + e.getMessage(), e);
        }
    }

    /** Found by this fuzz test: Long.parseLong threw NumberFormatException out of parse. */
    @Test
    void numbersTooLongForALongAreRefusedAsOutOfRange() {
        String k = "{ 0x28, 0, 0, 0x0000" + "D".repeat(70) + "000c },";
        assertEquals("instruction out of range: '" + k + "'",
                assertThrows(FilterException.class, () -> BpfProgram.parse(k)).getMessage());
        String jt = "{ 0x15, 99999999999999999999, 0, 0x1 },";
        assertEquals("instruction out of range: '" + jt + "'",
                assertThrows(FilterException.class, () -> BpfProgram.parse(jt)).getMessage());
    }

    /** Seeds of the text loader: a few programs as {@code tcpdump -dd} prints them. */
    public static FuzzSeeds.Seeds seeds() throws FilterException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String expression : List.of("tcp port 80", "vlan 100", "ip6 and tcp")) {
            files.put(expression.replace(' ', '_') + ".dd",
                    FilterCompiler.compile(expression).toDdString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return new FuzzSeeds.Seeds(BpfProgramTextFuzzTest.class, "ddTextLoadsOrIsRefused", files);
    }
}
