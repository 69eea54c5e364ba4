package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct tpacket_stats_v3} (12 bytes), read with PACKET_STATISTICS. Reading clears it, and
 * {@code tp_packets} counts the dropped packets too.
 * <pre>
 *  0            4          8                 12
 *  | tp_packets | tp_drops | tp_freeze_q_cnt |
 * </pre>
 */
public final class TpacketStatsV3 {
    public static final int PACKETS_OFFSET = 0;
    public static final int DROPS_OFFSET = 4;
    public static final int FREEZE_Q_CNT_OFFSET = 8;
    public static final int SIZE = 12;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"), JAVA_INT.withName("tp_drops"), JAVA_INT.withName("tp_freeze_q_cnt"))
            .withName("tpacket_stats_v3");

    static {
        LayoutCheck.offset(LAYOUT, "tp_packets", PACKETS_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_drops", DROPS_OFFSET);
        LayoutCheck.offset(LAYOUT, "tp_freeze_q_cnt", FREEZE_Q_CNT_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private TpacketStatsV3() {
    }
}
