package gulp.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * What a gulp Kafka record holds (docs/kafka.md, "Records"): the value is a sequence of complete
 * little-endian pcapng EPBs ({@link EpbBatch}); the key the 4-byte big-endian symmetric flow hash
 * ({@link FlowHash}) of its first packet, every packet of the record hashing to the same partition;
 * headers, each a UTF-8 string:
 * <pre>
 * box        the capture box's host name
 * interface  the interface captured ("file" for --read / stdin input)
 * first      timestamp of the first packet, nanoseconds since the epoch (decimal)
 * last       timestamp of the last packet
 * linktype   LINKTYPE_* of every packet (decimal)
 * format     "pcapng-epb/le/tsresol=9"
 * counters   the capture box's own counters when the record was sent ({@link BoxCounters})
 * </pre>
 */
public final class KafkaRecordFormat {
    public static final String BOX = "box";
    public static final String INTERFACE = "interface";
    public static final String FIRST = "first";
    public static final String LAST = "last";
    public static final String LINK_TYPE = "linktype";
    public static final String FORMAT = "format";
    public static final String COUNTERS = "counters";
    public static final String FORMAT_TEXT = "pcapng-epb/le/tsresol=9";
    static final byte[] FORMAT_VALUE = FORMAT_TEXT.getBytes(StandardCharsets.UTF_8);

    private KafkaRecordFormat() {
    }

    public static byte[] key(int flowHash) {
        return new byte[] {(byte) (flowHash >>> 24), (byte) (flowHash >>> 16), (byte) (flowHash >>> 8), (byte) flowHash};
    }

    /** The header's text, or null when the record has none of that name. */
    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
