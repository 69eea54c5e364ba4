package gulp.format;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapFileHeaderTest {
    /** The magic as the little-endian read of the file's first four bytes gives it. */
    private static int magicOf(int b0, int b1, int b2, int b3) {
        return ByteBuffer.wrap(new byte[] {(byte) b0, (byte) b1, (byte) b2, (byte) b3}).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void byteOrderResolutionAndRecordLengthFollowTheMagicAsLibpcapReadsIt() {
        // The first bytes of files written on little- and big-endian hosts.
        int[][] cases = {
                {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, // microseconds
                {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, // nanoseconds
                {0x34, 0xcd, 0xb2, 0xa1}, {0xa1, 0xb2, 0xcd, 0x34}, // Kuznetzov
        };
        for (int i = 0; i < cases.length; i++) {
            int magic = magicOf(cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
            assertEquals(i % 2 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN, PcapFileHeader.byteOrder(magic), "case " + i);
            assertEquals(i / 2 == 1, PcapFileHeader.nanosecond(magic), "case " + i);
            assertEquals(i / 2 == 2 ? 24 : 16, PcapFileHeader.recordHeaderLength(magic), "case " + i);
        }
    }

    @Test
    void aMagicThatIsNotClassicPcapHasNoByteOrder() {
        assertNull(PcapFileHeader.byteOrder(PcapngBlock.TYPE_SECTION_HEADER));
        assertNull(PcapFileHeader.byteOrder(0));
        assertFalse(PcapFileHeader.nanosecond(0));
    }

    @Test
    void encodeWritesTheHeaderTcpdumpWrites() {
        // tcpdump -w on x86 with -s 262144 on Ethernet: d4c3b2a1 0200 0400 0 0 00000400 01000000
        byte[] expected = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 4, 0, 1, 0, 0, 0};
        assertArrayEquals(expected, PcapFileHeader.encode(ByteOrder.LITTLE_ENDIAN, false, PcapFileHeader.DEFAULT_SNAPLEN, LinkType.ETHERNET));
    }

    @Test
    void encodeInBigEndianIsReadBackInBigEndianWithItsLinkTypeFieldWhole() {
        int field = 0x14000000 | LinkType.ETHERNET; // an FCS length in the upper bits
        byte[] header = PcapFileHeader.encode(ByteOrder.BIG_ENDIAN, true, 65535, field);
        ByteBuffer le = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int magic = le.getInt(PcapFileHeader.MAGIC_OFFSET);
        assertEquals(ByteOrder.BIG_ENDIAN, PcapFileHeader.byteOrder(magic));
        assertTrue(PcapFileHeader.nanosecond(magic));
        ByteBuffer be = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        assertEquals(2, be.getShort(PcapFileHeader.VERSION_MAJOR_OFFSET));
        assertEquals(4, be.getShort(PcapFileHeader.VERSION_MINOR_OFFSET));
        assertEquals(65535, be.getInt(PcapFileHeader.SNAPLEN_OFFSET));
        assertEquals(field, be.getInt(PcapFileHeader.LINKTYPE_OFFSET));
        assertEquals(LinkType.ETHERNET, LinkType.of(field));
        assertEquals("1 (field 0x14000001)", LinkType.describe(field));
        assertEquals("1", LinkType.describe(LinkType.ETHERNET));
    }
}
