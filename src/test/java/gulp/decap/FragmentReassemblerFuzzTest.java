package gulp.decap;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the outer-fragment reassembler on its own, so the fuzzer spends its
 * time on fragment offsets, lengths, overlaps and timing rather than on building IP headers
 * (docs/fuzzing.md). The decapsulator's fuzz test reaches it through real headers.
 */
class FragmentReassemblerFuzzTest {
    /**
     * Fragments of up to 80 datagrams (more than the table holds) in any order, size, overlap and
     * timing. Every fragment carries the bytes its datagram has at its offset, so a completed
     * datagram must be exactly those bytes, of the length its last fragment gave, with the protocol
     * of its first fragment, in one slot.
     */
    @FuzzTest(maxDuration = "12s")
    void reassemblerCompletesOnlyWhatWasOffered(FuzzedDataProvider data) {
        FragmentReassembler reassembler = REASSEMBLER;
        reassembler.giveUpAll();
        long now = DecapsulatorFuzzTest.T;
        for (int fragments = 0; fragments < 256 && data.remainingBytes() > 0; fragments++) {
            int datagram = data.consumeInt(0, 79);
            int version = datagram % 3 == 0 ? 6 : 4;
            int fragmentOffset = data.consumeBoolean() ? data.consumeInt(0, 8191) * 8 : data.consumeInt(0, 70_000);
            int payloadLength = data.consumeInt(0, 3000);
            boolean more = data.consumeBoolean();
            now += data.consumeInt(0, 2500) * 1_000_000L;
            int usable = payloadLength;
            MemorySegment.copy(DATAGRAMS[datagram], fragmentOffset, FRAGMENT, ValueLayout.JAVA_BYTE, 0, usable);
            Fragment f = new Fragment();
            f.version = version;
            f.sourceHigh = version == 6 ? 0x2001_0db8_0000_0000L : 0L;
            f.sourceLow = 0x0A00_0000L + datagram;
            f.destinationHigh = version == 6 ? 0x2001_0db8_0000_0000L : 0L;
            f.destinationLow = 0x0A00_0100L;
            f.identification = 1000 + datagram;
            f.keyProtocol = version == 4 ? protocol(datagram) : 0;
            f.protocol = protocol(datagram);
            f.offset = fragmentOffset;
            f.more = more;
            f.segment = FRAGMENT;
            f.payloadAt = 0;
            f.payloadLength = usable;
            int outcome = reassembler.offer(f, now);
            switch (outcome) {
                case FragmentReassembler.COMPLETE -> {
                    long base = reassembler.completedOffset();
                    int length = reassembler.completedLength();
                    assertEquals(0, base % DecapsulatorFuzzTest.SLOT_BYTES, "a slot's start");
                    assertTrue(length > 0 && length <= FragmentReassembler.MAX_PAYLOAD, "length " + length);
                    assertTrue(base + length <= reassembler.buffer().byteSize(), "inside the buffer");
                    assertTrue(fragmentOffset + usable <= length, "the completing fragment lies inside its datagram");
                    assertEquals(protocol(datagram), reassembler.completedProtocol(), "protocol of the first fragment");
                    long differs = MemorySegment.mismatch(reassembler.buffer(), base, base + length,
                            MemorySegment.ofArray(DATAGRAMS[datagram]), 0, length);
                    assertEquals(-1, differs, () -> "datagram " + datagram + " differs at byte " + differs + " from what was offered");
                }
                case FragmentReassembler.HELD -> assertTrue(reassembler.inFlight() >= 1
                        && reassembler.inFlight() <= FragmentReassembler.SLOTS, "in flight " + reassembler.inFlight());
                case FragmentReassembler.DROPPED -> assertNotNull(reassembler.dropReason());
                default -> throw new AssertionError("outcome " + outcome);
            }
            assertTrue(reassembler.heldBytes() <= (long) FragmentReassembler.SLOTS * FragmentReassembler.MAX_PAYLOAD);
        }
    }

    private static final FragmentReassembler REASSEMBLER = new FragmentReassembler(new DecapCounters(),
            FragmentReassembler.DEFAULT_TIMEOUT_NANOS);
    private static final MemorySegment FRAGMENT = Arena.global().allocate(4096);

    /** What each datagram holds at every payload offset a fragment can name: the same in every fragment. */
    private static final byte[][] DATAGRAMS = new byte[80][70_000 + 3000];

    static {
        for (int d = 0; d < DATAGRAMS.length; d++) {
            for (int p = 0; p < DATAGRAMS[d].length; p++) {
                DATAGRAMS[d][p] = (byte) (d * 31 + p * 7 + (p >>> 8));
            }
        }
    }

    private static int protocol(int datagram) {
        return datagram % 2 == 0 ? Ipv4Header.PROTOCOL_GRE : Ipv4Header.PROTOCOL_UDP;
    }

}
