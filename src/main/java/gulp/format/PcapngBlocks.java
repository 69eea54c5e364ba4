package gulp.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The pcapng blocks gulp writes that are not packets, little-endian, as byte arrays (layouts and
 * option codes in {@link PcapngBlock}): section headers, interface descriptions and interface
 * statistics. Made once per file or interface, never per packet.
 */
public final class PcapngBlocks {
    /** A 64-bit ISB counter that is not known: the option is left out. */
    public static final long UNKNOWN = -1;

    private PcapngBlocks() {
    }

    /** A section header (byte-order magic, version 1.0, length unknown) with the writer's description. */
    public static byte[] sectionHeader(String hardware, String os, String userApplication) {
        Builder b = new Builder(PcapngBlock.TYPE_SECTION_HEADER);
        b.putInt(PcapngBlock.SHB_BYTE_ORDER_MAGIC);
        b.putInt(PcapngBlock.SHB_MAJOR_VERSION | PcapngBlock.SHB_MINOR_VERSION << 16);
        b.putLong(PcapngBlock.SECTION_LENGTH_UNKNOWN);
        b.option(PcapngBlock.SHB_OPTION_HARDWARE, hardware);
        b.option(PcapngBlock.SHB_OPTION_OS, os);
        b.option(PcapngBlock.SHB_OPTION_USERAPPL, userApplication);
        return b.finish();
    }

    /** An interface description with nanosecond timestamps ({@code if_tsresol} 9). */
    public static byte[] interfaceDescription(CaptureInterface description, String os) {
        Builder b = new Builder(PcapngBlock.TYPE_INTERFACE_DESCRIPTION);
        b.putInt(description.linkType() & 0xFFFF); // link type (16), reserved (16)
        b.putInt(description.snaplen());
        b.option(PcapngBlock.IDB_OPTION_NAME, description.name());
        b.option(PcapngBlock.IDB_OPTION_DESCRIPTION, description.description());
        b.option(PcapngBlock.IDB_OPTION_TSRESOL, new byte[] {(byte) Timestamps.TSRESOL_NANOSECONDS});
        if (description.filter() != null && !description.filter().isEmpty()) {
            byte[] expression = description.filter().getBytes(StandardCharsets.UTF_8);
            byte[] value = new byte[expression.length + 1];
            value[0] = PcapngBlock.IDB_FILTER_EXPRESSION;
            System.arraycopy(expression, 0, value, 1, expression.length);
            b.option(PcapngBlock.IDB_OPTION_FILTER, value);
        }
        b.option(PcapngBlock.IDB_OPTION_OS, os);
        return b.finish();
    }

    /**
     * The statistics of one interface, stamped {@code timestampNanos}; each figure that is
     * {@link #UNKNOWN} (negative) is left out.
     */
    public static byte[] interfaceStatistics(int interfaceId, long timestampNanos, InterfaceStatistics s) {
        Builder b = new Builder(PcapngBlock.TYPE_INTERFACE_STATISTICS);
        b.putInt(interfaceId);
        b.putInt((int) (timestampNanos >>> 32));
        b.putInt((int) timestampNanos);
        b.timestampOption(PcapngBlock.ISB_OPTION_STARTTIME, s.startNanos());
        b.timestampOption(PcapngBlock.ISB_OPTION_ENDTIME, s.endNanos());
        b.countOption(PcapngBlock.ISB_OPTION_IFRECV, s.received());
        b.countOption(PcapngBlock.ISB_OPTION_IFDROP, s.interfaceDropped());
        b.countOption(PcapngBlock.ISB_OPTION_FILTERACCEPT, s.filterAccepted());
        b.countOption(PcapngBlock.ISB_OPTION_OSDROP, s.osDropped());
        b.countOption(PcapngBlock.ISB_OPTION_USRDELIV, s.delivered());
        return b.finish();
    }

    /**
     * The figures of one interface statistics block (see README, "pcapng", for what gulp puts in
     * each); negative means not known (left out).
     */
    public record InterfaceStatistics(long startNanos, long endNanos, long received, long interfaceDropped,
                                      long filterAccepted, long osDropped, long delivered) {
    }

    /** Accumulates one block: fixed fields, then options; {@link #finish} adds the end and the lengths. */
    private static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        private final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private boolean options;

        Builder(int type) {
            putInt(type);
            putInt(0); // total length, set by finish
        }

        void putInt(int value) {
            out.write(word.putInt(0, value).array(), 0, 4);
        }

        void putLong(long value) {
            out.write(word.putLong(0, value).array(), 0, 8);
        }

        void option(int code, String value) {
            if (value != null && !value.isEmpty()) {
                option(code, value.getBytes(StandardCharsets.UTF_8));
            }
        }

        void option(int code, byte[] value) {
            int length = Math.min(value.length, 0xFFFF);
            putInt(code | length << 16);
            out.write(value, 0, length);
            for (int i = length; i < PcapngBlock.padded(length); i++) {
                out.write(0);
            }
            options = true;
        }

        void countOption(int code, long value) {
            if (value >= 0) {
                putInt(code | 8 << 16);
                putLong(value);
                options = true;
            }
        }

        /** A timestamp option: high word, then low word, in nanoseconds (the interface's if_tsresol 9). */
        void timestampOption(int code, long nanos) {
            if (nanos >= 0) {
                putInt(code | 8 << 16);
                putInt((int) (nanos >>> 32));
                putInt((int) nanos);
                options = true;
            }
        }

        byte[] finish() {
            if (options) {
                putInt(PcapngBlock.OPTION_END); // code 0, length 0
            }
            putInt(0); // total length again
            byte[] block = out.toByteArray();
            ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(PcapngBlock.TOTAL_LENGTH_OFFSET, block.length)
                    .putInt(block.length - 4, block.length);
            return block;
        }
    }
}
