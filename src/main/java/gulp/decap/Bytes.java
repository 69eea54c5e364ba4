package gulp.decap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Big-endian unaligned reads of network header fields; shared by the header descriptors. */
final class Bytes {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Bytes() {}

    static int u8(MemorySegment s, long at) { return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF; }

    static int u16(MemorySegment s, long at) { return s.get(U16, at) & 0xFFFF; }

    static int u32(MemorySegment s, long at) { return s.get(U32, at); }

    static long u32Unsigned(MemorySegment s, long at) { return s.get(U32, at) & 0xFFFF_FFFFL; }

    static long u64(MemorySegment s, long at) { return s.get(U64, at); }
}
