package gulp.decap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.LONG_BE;
import static gulp.format.Endian.SHORT_BE;

/** Big-endian unaligned reads of network header fields; shared by the header descriptors. */
final class Bytes {
    private Bytes() {}

    static int u8(MemorySegment s, long at) { return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF; }

    static int u16(MemorySegment s, long at) { return s.get(SHORT_BE, at) & 0xFFFF; }

    static int u32(MemorySegment s, long at) { return s.get(INT_BE, at); }

    static long u32Unsigned(MemorySegment s, long at) { return s.get(INT_BE, at) & 0xFFFF_FFFFL; }

    static long u64(MemorySegment s, long at) { return s.get(LONG_BE, at); }
}
