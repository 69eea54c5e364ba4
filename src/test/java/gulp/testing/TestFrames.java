package gulp.testing;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Test frames that identify themselves: Ethernet + IPv4 + UDP between the two test bed MACs,
 * whose payload starts with a magic, a sequence number and a CRC32 of everything after it. The
 * length and bytes of frame N follow from N alone, so a captured frame can be checked exactly.
 */
public final class TestFrames {
    public static final int MAGIC = 0x47554c50; // "GULP"
    public static final int MIN_LENGTH = 60;
    public static final int MAX_LENGTH = 1514;
    private static final int PAYLOAD_OFFSET = 42;
    private static final byte[] SOURCE_MAC = {2, 0x50, 0, 0, 0, 1};
    private static final byte[] DESTINATION_MAC = {2, 0x50, 0, 0, 0, 2};

    private TestFrames() {
    }

    /** Mixed lengths 60..1514, spread over the whole range. */
    public static int mixedLength(int sequence) {
        return MIN_LENGTH + (int) ((sequence * 7919L) % (MAX_LENGTH - MIN_LENGTH + 1));
    }

    /** Frame {@code sequence} of {@code length} bytes, UDP to {@code destinationPort}. */
    public static byte[] frame(int sequence, int length, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(DESTINATION_MAC).put(SOURCE_MAC).putShort((short) 0x0800);
        int ipLength = length - 14;
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) sequence).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, (byte) 250, 77, 1}).put(new byte[] {10, (byte) 250, 77, 2});
        int checksum = 0;
        for (int i = 14; i < 34; i += 2) {
            checksum += ((b.get(i) & 0xff) << 8) | (b.get(i + 1) & 0xff);
        }
        checksum = (checksum & 0xffff) + (checksum >>> 16);
        checksum = (checksum & 0xffff) + (checksum >>> 16);
        b.putShort(24, (short) ~checksum);
        b.putShort((short) 40000).putShort((short) destinationPort).putShort((short) (ipLength - 20)).putShort((short) 0);
        b.putInt(MAGIC).putInt(sequence).putInt(0);
        for (int i = PAYLOAD_OFFSET + 12; i < length; i++) {
            b.put((byte) (sequence + i));
        }
        byte[] frame = b.array();
        CRC32 crc = new CRC32();
        crc.update(frame, PAYLOAD_OFFSET + 12, length - PAYLOAD_OFFSET - 12);
        ByteBuffer.wrap(frame).putInt(PAYLOAD_OFFSET + 8, (int) crc.getValue());
        return frame;
    }

    /** The sequence number of a test frame at {@code offset} of {@code data}, or -1 if it is not one. */
    public static int sequenceOf(byte[] data, int offset, int length) {
        if (length < PAYLOAD_OFFSET + 12) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        if (b.getShort(offset + 12) != 0x0800 || b.getInt(offset + PAYLOAD_OFFSET) != MAGIC) {
            return -1;
        }
        return b.getInt(offset + PAYLOAD_OFFSET + 4);
    }

    /** The frame with an 802.1Q tag (TPID 0x8100, priority 0, {@code vlanId}) after the MAC addresses. */
    public static byte[] withVlanTag(byte[] frame, int vlanId) {
        byte[] tagged = new byte[frame.length + 4];
        System.arraycopy(frame, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0;
        tagged[14] = (byte) (vlanId >> 8 & 0x0f);
        tagged[15] = (byte) vlanId;
        System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
        return tagged;
    }
}
