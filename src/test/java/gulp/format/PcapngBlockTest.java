package gulp.format;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapngBlockTest {
    @Test
    void theSectionMagicGivesTheByteOrder() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, PcapngBlock.byteOrder(0x1A2B3C4D));
        assertEquals(ByteOrder.BIG_ENDIAN, PcapngBlock.byteOrder(0x4D3C2B1A));
        assertNull(PcapngBlock.byteOrder(0x12345678));
    }

    @Test
    void aTimestampIsTheHighHalfThenTheLowHalfUnsigned() {
        assertEquals(0x00000001_FFFFFFFFL, PcapngBlock.timestampUnits(1, -1));
        assertEquals(1_500_000_000L * 1_000_000 + 7, PcapngBlock.timestampUnits(
                (int) ((1_500_000_000L * 1_000_000 + 7) >>> 32), (int) (1_500_000_000L * 1_000_000 + 7)));
    }

    @Test
    void aSixtyFourBitOptionIsReadInTheSectionsByteOrder() {
        long value = 0x0102030405060708L;
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            ByteBuffer option = ByteBuffer.allocate(8).order(order).putLong(0, value);
            assertEquals(value, PcapngBlock.optionLong(option.getInt(0), option.getInt(4), order), order.toString());
        }
    }

    @Test
    void aTimestampInUnitsOfItsInterfaceWithAnOffsetIsNanosecondsSinceTheEpoch() {
        assertEquals(1_500_000_010_000_001_000L, PcapngBlock.timestampNanos(1_500_000_000_000_001L, Timestamps.TSRESOL_MICROSECONDS, 10));
        assertEquals(7L, PcapngBlock.timestampNanos(7, Timestamps.TSRESOL_NANOSECONDS, 0));
    }

    @Test
    void packetBlocksAreTheEnhancedSimpleAndObsoleteOnes() {
        assertTrue(PcapngBlock.isPacketBlock(PcapngBlock.TYPE_ENHANCED_PACKET));
        assertTrue(PcapngBlock.isPacketBlock(PcapngBlock.TYPE_SIMPLE_PACKET));
        assertTrue(PcapngBlock.isPacketBlock(PcapngBlock.TYPE_OBSOLETE_PACKET));
        assertFalse(PcapngBlock.isPacketBlock(PcapngBlock.TYPE_INTERFACE_DESCRIPTION));
        assertFalse(PcapngBlock.isPacketBlock(PcapngBlock.TYPE_SECTION_HEADER));
    }
}
