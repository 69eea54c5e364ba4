package gulp.capture;

import gulp.format.Timestamps;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapngInterfacesTest {
    @Test
    void eachInterfaceKeepsItsResolutionAndOffset() {
        PcapngInterfaces interfaces = new PcapngInterfaces();
        interfaces.add(6, 0, 65535, 1);
        interfaces.add(9, 0, 1500, 1);
        interfaces.add(0x80 | 20, 3600, 0, 1);
        assertEquals(65535, interfaces.firstSnaplen());
        assertEquals(1_500_000_000L, interfaces.timestampNanos(0, 1_500_000));
        assertEquals(1_500_000_000L, interfaces.timestampNanos(1, 1_500_000_000L));
        assertEquals(3600_500_000_000L, interfaces.timestampNanos(2, 1L << 19), "half a second in 2^-20 units, plus an hour");
        assertTrue(interfaces.isDescribed(2));
        assertFalse(interfaces.isDescribed(3));
        assertFalse(interfaces.isDescribed(-1));
    }

    @Test
    void aNewSectionStartsWithoutInterfaces() {
        PcapngInterfaces interfaces = new PcapngInterfaces();
        for (int i = 0; i < 1000; i++) {
            interfaces.add(9, i, 100, 1);
        }
        interfaces.clear();
        assertEquals(0, interfaces.count());
        interfaces.add(6, 0, 200, 1);
        assertEquals(200, interfaces.firstSnaplen());
        assertEquals(1_000_000_000L, interfaces.timestampNanos(0, 1_000_000), "no offset left from the last section");
    }

    @Test
    void aSectionHoldsAtMostTheLimit() {
        PcapngInterfaces interfaces = new PcapngInterfaces();
        for (int i = 0; i < PcapngInterfaces.MAX_INTERFACES; i++) {
            assertFalse(interfaces.isFull());
            interfaces.add(6, 0, 262144, 1);
        }
        assertTrue(interfaces.isFull());
        assertEquals(PcapngInterfaces.MAX_INTERFACES, interfaces.count());
        assertEquals(1_000_000L, interfaces.timestampNanos(PcapngInterfaces.MAX_INTERFACES - 1, 1000));
    }

    @Test
    void resolutionsConvertLikeLibpcap() {
        assertEquals(1_000L, Timestamps.ofUnits(1, 6));
        assertEquals(1L, Timestamps.ofUnits(1, 9));
        assertEquals(0L, Timestamps.ofUnits(999, 12), "picoseconds truncate");
        assertEquals(1_000_000_000L, Timestamps.ofUnits(1L << 30, 0x80 | 30));
        assertEquals(0L, Timestamps.ofUnits(12345, 0x80 | 63), "an absurd binary exponent");
    }
}
