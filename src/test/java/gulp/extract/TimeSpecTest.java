package gulp.extract;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeSpecTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final long NOW = 1_764_583_320_123_456_789L; // 2025-12-01T10:02:00.123456789Z
    static final long S = 1_000_000_000L;

    @Test
    void isoWithAZoneIsThatInstantToTheNanosecond() {
        assertEquals(1_764_583_320_000_000_001L, TimeSpec.parse("2025-12-01T10:02:00.000000001Z", NOW, BERLIN));
        assertEquals(1_764_583_320L * S, TimeSpec.parse("2025-12-01T11:02:00+01:00", NOW, BERLIN));
        assertEquals(1_764_583_320L * S, TimeSpec.parse("2025-12-01 11:02:00+0100", NOW, BERLIN));
    }

    @Test
    void isoWithoutAZoneIsLocalTime() {
        assertEquals(1_764_583_320L * S + 500_000_000L, TimeSpec.parse("2025-12-01 11:02:00.5", NOW, BERLIN));
        assertEquals(1_764_543_600L * S, TimeSpec.parse("2025-12-01", NOW, BERLIN));
    }

    @Test
    void aTimeWithoutADateIsToday() {
        assertEquals(1_764_583_320L * S, TimeSpec.parse("11:02", NOW, BERLIN));
        assertEquals(1_764_583_323L * S + 250_000_000L, TimeSpec.parse("11:02:03.25", NOW, BERLIN));
    }

    @Test
    void epochSecondsKeepAllNineDecimals() {
        assertEquals(1_764_583_320_123_456_789L, TimeSpec.parse("1764583320.123456789", NOW, BERLIN));
        assertEquals(1_764_583_320L * S, TimeSpec.parse("@1764583320", NOW, BERLIN));
    }

    @Test
    void relativeTimesCountFromNow() {
        assertEquals(NOW, TimeSpec.parse("now", NOW, BERLIN));
        assertEquals(NOW - 15 * 60 * S, TimeSpec.parse("-15m", NOW, BERLIN));
        assertEquals(NOW - 2 * 3600 * S, TimeSpec.parse("-2h", NOW, BERLIN));
        assertEquals(NOW + 1500 * 1_000_000L, TimeSpec.parse("+1.5s", NOW, BERLIN));
    }

    @Test
    void anythingElseIsOneLineNamingTheFormats() {
        for (String bad : new String[] {"yesterday", "2025-13-01", "25:00", "-15x", "", "12345"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSpec.parse(bad, NOW, BERLIN), bad);
            assertTrue(e.getMessage().startsWith("bad time '" + bad + "'"), e.getMessage());
        }
    }
}
