package gulp.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The NFLOG pseudo-header ({@link LinkType#NFLOG}) that starts every frame of that link type: a
 * 4-byte header, then TLVs whose length and type are in the byte order of the host that wrote
 * the file (the values are in network order). libpcap swaps the lengths and types of a file from
 * the other byte order to its own when it reads it ({@code swap_nflog_header}); gulp writes
 * little-endian files, so it does the same for big-endian input.
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+-------------------------------+
 * | address family|  version (0)  |   resource id (network order) |  0
 * +---------------+---------------+-------------------------------+
 * |  TLV length (host order, incl. these 4 bytes) | TLV type (host order) |  4
 * |  value, padded to 32 bits ...                                 |  8
 * +---------------------------------------------------------------+
 * </pre>
 */
public final class NflogHeader {
    public static final int LENGTH = 4;
    public static final int VERSION_OFFSET = 1;
    public static final int TLV_HEADER_LENGTH = 4;
    public static final int TLV_LENGTH_OFFSET = 0;
    public static final int TLV_TYPE_OFFSET = 2;

    private NflogHeader() {
    }

    /**
     * Swaps the TLV lengths and types of the frame at {@code offset} in place, walking the TLVs
     * within {@code caplen} and {@code wirelen} bytes and stopping where libpcap stops (unknown
     * version, a TLV shorter than its header or longer than what is left).
     */
    public static void swapTlvs(MemorySegment data, long offset, int caplen, int wirelen) {
        if (caplen < LENGTH || wirelen < LENGTH || data.get(ValueLayout.JAVA_BYTE, offset + VERSION_OFFSET) != 0) {
            return;
        }
        long at = offset + LENGTH;
        long captured = caplen - LENGTH;
        long length = Integer.toUnsignedLong(wirelen) - LENGTH;
        while (captured >= TLV_HEADER_LENGTH) {
            short tlvLength = Short.reverseBytes(data.get(Endian.SHORT_LE, at + TLV_LENGTH_OFFSET));
            data.set(Endian.SHORT_LE, at + TLV_LENGTH_OFFSET, tlvLength);
            data.set(Endian.SHORT_LE, at + TLV_TYPE_OFFSET, Short.reverseBytes(data.get(Endian.SHORT_LE, at + TLV_TYPE_OFFSET)));
            int size = (Short.toUnsignedInt(tlvLength) + 3) & ~3;
            if (size < TLV_HEADER_LENGTH || captured < size || length < size) {
                return;
            }
            at += size;
            captured -= size;
            length -= size;
        }
    }
}
