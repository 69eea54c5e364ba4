package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct tpacket_block_desc} with its {@code tpacket_hdr_v1} (48 bytes): the header of each
 * block of a TPACKET_V3 receive ring. Host byte order.
 * <pre>
 *  0         4                8              12         16                    20        24
 *  | version | offset_to_priv | block_status | num_pkts | offset_to_first_pkt | blk_len |
 *  24                 32                         40                        48
 *  | seq_num (u64)    | ts_first_pkt sec, nsec   | ts_last_pkt sec, nsec   |
 * </pre>
 * The user owns a block while {@code block_status & TP_STATUS_USER}; writing
 * {@code TP_STATUS_KERNEL} hands it back. {@code ts_first_pkt} is when the block was opened, not
 * a packet time.
 */
public final class TpacketBlockDesc {
    public static final int VERSION_OFFSET = 0;
    public static final int OFFSET_TO_PRIV_OFFSET = 4;
    public static final int BLOCK_STATUS_OFFSET = 8;
    public static final int NUM_PKTS_OFFSET = 12;
    public static final int OFFSET_TO_FIRST_PKT_OFFSET = 16;
    public static final int BLK_LEN_OFFSET = 20;
    public static final int SEQ_NUM_OFFSET = 24;
    public static final int TS_FIRST_PKT_OFFSET = 32;
    public static final int TS_LAST_PKT_OFFSET = 40;
    public static final int SIZE = 48;

    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    public static final int TP_STATUS_BLK_TMO = 0x20;

    private static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_INT.withName("ts_sec"), JAVA_INT.withName("ts_nsec"));

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            JAVA_INT.withName("block_status"),
            JAVA_INT.withName("num_pkts"),
            JAVA_INT.withName("offset_to_first_pkt"),
            JAVA_INT.withName("blk_len"),
            JAVA_LONG.withName("seq_num"),
            TIMESPEC.withName("ts_first_pkt"),
            TIMESPEC.withName("ts_last_pkt")).withName("tpacket_block_desc");

    static {
        LayoutCheck.offset(LAYOUT, "version", VERSION_OFFSET);
        LayoutCheck.offset(LAYOUT, "offset_to_priv", OFFSET_TO_PRIV_OFFSET);
        LayoutCheck.offset(LAYOUT, "block_status", BLOCK_STATUS_OFFSET);
        LayoutCheck.offset(LAYOUT, "num_pkts", NUM_PKTS_OFFSET);
        LayoutCheck.offset(LAYOUT, "offset_to_first_pkt", OFFSET_TO_FIRST_PKT_OFFSET);
        LayoutCheck.offset(LAYOUT, "blk_len", BLK_LEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "seq_num", SEQ_NUM_OFFSET);
        LayoutCheck.offset(LAYOUT, "ts_first_pkt", TS_FIRST_PKT_OFFSET);
        LayoutCheck.offset(LAYOUT, "ts_last_pkt", TS_LAST_PKT_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();

    private TpacketBlockDesc() {
    }

    /**
     * True while user space owns the block at {@code block} of {@code ring} ({@code block_status}
     * has TP_STATUS_USER; the other bits, BLK_TMO and LOSING, vary). An acquire load: once true,
     * the block's contents are visible.
     */
    public static boolean userOwns(MemorySegment ring, long block) {
        int status = (int) INT_HANDLE.getAcquire(ring, block + BLOCK_STATUS_OFFSET);
        return (status & TP_STATUS_USER) != 0;
    }

    /** Runs the self-check (class initialisation). */
    public static void verify() {
    }
}
