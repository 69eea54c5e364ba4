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
 *  256         264          272                                                 384
 *    | tail    | tail index | padding                                           |
 *  384         392         400           408             416          424             432          440   512
 *    | peak    | done      | wanted tail | wrap position | wrap index | wrap position 2 | wrap index 2 | pad |
 * </pre>
 * <table>
 *   <caption>Who writes each slot</caption>
 *   <tr><th>slot</th><th>written by</th><th>read by</th><th>meaning</th></tr>
 *   <tr><td>head</td><td>consumer (release)</td><td>producer (acquire), status line</td>
 *       <td>position up to which bytes were handed back</td></tr>
 *   <tr><td>tail</td><td>producer (volatile)</td><td>consumer (acquire), status line</td>
 *       <td>position up to which records are published; always a record boundary</td></tr>
 *   <tr><td>tail index</td><td>producer (opaque, before the tail)</td><td>run.RingFaultIn (opaque)</td>
 *       <td>where the published tail lies in the buffer: a hint for faulting the pages ahead in</td></tr>
 *   <tr><td>peak</td><td>producer (opaque)</td><td>status line, final report</td>
 *       <td>highest use the producer saw when publishing</td></tr>
 *   <tr><td>done</td><td>producer (release, once)</td><td>consumer</td>
 *       <td>1 once the producer will publish nothing more</td></tr>
 *   <tr><td>wanted tail</td><td>consumer sets it before parking and clears it after;
 *       producer clears it when it wakes the consumer</td><td>producer (volatile)</td>
 *       <td>tail the parked consumer waits for; 0 = nobody waits</td></tr>
 *   <tr><td>wrap position</td><td>producer (release, after the wrap index)</td><td>consumer (acquire)</td>
 *       <td>an early wrap or jump ({@link ByteRing}; the slots take turns): the records from this
 *       position on lie from the wrap index on; 0 = none yet</td></tr>
 *   <tr><td>wrap index</td><td>producer (plain)</td><td>consumer (after the wrap position)</td>
 *       <td>where the wrap position's byte lies in the buffer</td></tr>
 * </table>
 * Head and tail, each written on every batch by one thread, have a 128-byte line pair to
 * themselves (128, not 64: the adjacent-line prefetcher pulls lines in pairs), so the threads do
 * not false-share. The last pair holds the slots written rarely (peak only when it grows, done
 * once, wanted tail only around a park, the wrap pair once per early wrap).
 */
final class ByteRingDescriptor {
    /** Distance between slots that different threads write; also the block's alignment. */
    static final long CACHE_LINE_PAIR = 128;
    static final long HEAD_OFFSET = CACHE_LINE_PAIR;
    static final long TAIL_OFFSET = 2 * CACHE_LINE_PAIR;
    static final long TAIL_INDEX_OFFSET = TAIL_OFFSET + 8;
    static final long PEAK_OFFSET = 3 * CACHE_LINE_PAIR;
    static final long DONE_OFFSET = PEAK_OFFSET + 8;
    static final long WANTED_TAIL_OFFSET = PEAK_OFFSET + 16;
    static final long WRAP_POSITION_OFFSET = PEAK_OFFSET + 24;
    static final long WRAP_INDEX_OFFSET = PEAK_OFFSET + 32;
    /** The second wrap slot lies this far after the first (a wrap and a jump may both be ahead of the consumer). */
    static final long WRAP_SLOT_LENGTH = 16;
    /** Bytes of the control block. */
    static final long LENGTH = 4 * CACHE_LINE_PAIR;

    private ByteRingDescriptor() {
    }
}
