package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct tpacket_req3} (28 bytes): the PACKET_RX_RING request for TPACKET_V3.
 * <pre>
 *  0            4          8            12         16               20            24                 28
 *  | block_size | block_nr | frame_size | frame_nr | retire_blk_tov | sizeof_priv | feature_req_word |
 * </pre>
 * block_size must be a multiple of the page size, frame_size of 16, and
 * frame_nr = block_size / frame_size * block_nr, or the kernel answers EINVAL.
 */
public final class TpacketReq3 {
    public static final int BLOCK_SIZE_OFFSET = 0;
    public static final int BLOCK_NR_OFFSET = 4;
    public static final int FRAME_SIZE_OFFSET = 8;
    public static final int FRAME_NR_OFFSET = 12;
    public static final int RETIRE_BLK_TOV_OFFSET = 16;
    public static final int SIZEOF_PRIV_OFFSET = 20;
    public static final int FEATURE_REQ_WORD_OFFSET = 24;
    public static final int SIZE = 28;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"), JAVA_INT.withName("tp_block_nr"), JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"), JAVA_INT.withName("tp_retire_blk_tov"), JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word")).withName("tpacket_req3");

    static {
        LayoutCheck.offset(LAYOUT, "tp_block_size", BLOCK_SIZE_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_block_nr", BLOCK_NR_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_frame_size", FRAME_SIZE_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_frame_nr", FRAME_NR_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_retire_blk_tov", RETIRE_BLK_TOV_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_sizeof_priv", SIZEOF_PRIV_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_feature_req_word", FEATURE_REQ_WORD_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private TpacketReq3() {
    }

    public static MemorySegment allocate(Arena arena, int blockSize, int blockCount, int frameSize, int retireMillis) {
        MemorySegment req = arena.allocate(SIZE, 4);
        req.set(JAVA_INT, BLOCK_SIZE_OFFSET, blockSize);
        req.set(JAVA_INT, BLOCK_NR_OFFSET, blockCount);
        req.set(JAVA_INT, FRAME_SIZE_OFFSET, frameSize);
        req.set(JAVA_INT, FRAME_NR_OFFSET, blockSize / frameSize * blockCount);
        req.set(JAVA_INT, RETIRE_BLK_TOV_OFFSET, retireMillis);
        req.set(JAVA_INT, SIZEOF_PRIV_OFFSET, 0);
        req.set(JAVA_INT, FEATURE_REQ_WORD_OFFSET, 0);
        return req;
    }
}
