package gulp.ring;

/**
 * The control block of a {@link ByteRing}: the positions the producer (reader thread) and the
 * consumer (writer thread) share, in the manner of Agrona's {@code RingBufferDescriptor}. It is a
 * separate 512-byte allocation aligned to {@value #CACHE_LINE_PAIR} bytes; each 64-bit slot is
 * accessed through a {@code VarHandle} with the ordering written beside it in ByteRing.
 * <pre>
 *    0                                                                          128
 *    | padding: nothing allocated before the block shares the head's lines        |
 *  128         136                                                              256
 *    | head    | padding                                                        |
 *  256         264                                                              384
 *    | tail    | padding                                                        |
 *  384         392         400                 408                              512
 *    | peak    | done      | wanted tail       | padding                        |
 * </pre>
 * <table>
 *   <caption>Who writes each slot</caption>
 *   <tr><th>slot</th><th>written by</th><th>read by</th><th>meaning</th></tr>
 *   <tr><td>head</td><td>consumer (release)</td><td>producer (acquire), status line</td>
 *       <td>position up to which bytes were handed back</td></tr>
 *   <tr><td>tail</td><td>producer (volatile)</td><td>consumer (acquire), status line</td>
 *       <td>position up to which records are published; always a record boundary</td></tr>
 *   <tr><td>peak</td><td>producer (opaque)</td><td>status line, final report</td>
 *       <td>highest use the producer saw when publishing</td></tr>
 *   <tr><td>done</td><td>producer (release, once)</td><td>consumer</td>
 *       <td>1 once the producer will publish nothing more</td></tr>
 *   <tr><td>wanted tail</td><td>consumer sets it before parking and clears it after;
 *       producer clears it when it wakes the consumer</td><td>producer (volatile)</td>
 *       <td>tail the parked consumer waits for; 0 = nobody waits</td></tr>
 * </table>
 * Head and tail, each written on every batch by one thread, have a 128-byte line pair to
 * themselves (128, not 64: the adjacent-line prefetcher pulls lines in pairs), so the threads do
 * not false-share. The last pair holds the slots written rarely (peak only when it grows, done
 * once, wanted tail only around a park).
 */
final class ByteRingDescriptor {
    /** Distance between slots that different threads write; also the block's alignment. */
    static final long CACHE_LINE_PAIR = 128;
    static final long HEAD_OFFSET = CACHE_LINE_PAIR;
    static final long TAIL_OFFSET = 2 * CACHE_LINE_PAIR;
    static final long PEAK_OFFSET = 3 * CACHE_LINE_PAIR;
    static final long DONE_OFFSET = PEAK_OFFSET + 8;
    static final long WANTED_TAIL_OFFSET = PEAK_OFFSET + 16;
    /** Bytes of the control block. */
    static final long LENGTH = 4 * CACHE_LINE_PAIR;

    private ByteRingDescriptor() {
    }
}
