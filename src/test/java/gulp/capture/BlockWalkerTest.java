package gulp.capture;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockWalkerTest {
    private record Seen(long offset, int caplen, int wirelen, long nanos, int vlanTag, byte firstByte) {
    }

    private static final class Recorder implements PacketHandler {
        final List<Seen> packets = new ArrayList<>();
        int batches;
        int skippedByDirection;

        @Override
        public void onSkippedByDirection() {
            skippedByDirection++;
        }

        @Override
        public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag) {
            packets.add(new Seen(offset, caplen, wirelen, timestampNanos, vlanTag, data.get(ValueLayout.JAVA_BYTE, offset + 1)));
        }

        @Override
        public void onBatchEnd() {
            batches++;
        }

        @Override
        public boolean stopRequested() {
            return false;
        }
    }

    @Test
    void everyPacketOfABlockIsHandedOverWithItsTimeLengthsAndVlanTagThenOneBatchEnd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 20, 4096);
            int[] lengths = {60, 1514, 61, 300, 60, 60, 60, 60, 1000};
            long start = 1_700_000_000_123_456_789L;
            BlockWalker.writeSyntheticBlock(memory, 0, lengths, start, true);
            assertTrue(BlockWalker.isReady(memory, 0));
            Recorder recorder = new Recorder();
            assertEquals(lengths.length, BlockWalker.walk(memory, 0, recorder));
            assertEquals(1, recorder.batches);
            for (int i = 0; i < lengths.length; i++) {
                Seen seen = recorder.packets.get(i);
                assertEquals(lengths[i], seen.caplen());
                assertEquals(lengths[i], seen.wirelen());
                assertEquals(start + i * 1000L, seen.nanos());
                assertEquals((byte) (i + 1), seen.firstByte(), "frame bytes of packet " + i);
                assertEquals(i % 8 == 0 ? 0x8100_0064 : PacketHandler.NO_VLAN_TAG, seen.vlanTag(), "tag of packet " + i);
            }
            BlockWalker.release(memory, 0);
            assertFalse(BlockWalker.isReady(memory, 0));
        }
    }

    @Test
    void aBlockOfGivenFramesHandsOverEachFrameAsGivenInTurn() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 20, 4096);
            byte[][] frames = {new byte[110], new byte[1514], new byte[60]};
            for (int f = 0; f < frames.length; f++) {
                java.util.Arrays.fill(frames[f], (byte) (f + 10));
            }
            int[] next = {0};
            BlockWalker.writeSyntheticBlock(memory, 0, 5, () -> frames[next[0]++ % frames.length], 0);
            Recorder recorder = new Recorder();
            assertEquals(5, BlockWalker.walk(memory, 0, recorder));
            for (int i = 0; i < 5; i++) {
                Seen seen = recorder.packets.get(i);
                assertEquals(frames[i % 3].length, seen.caplen(), "length of packet " + i);
                assertEquals((byte) (i % 3 + 10), seen.firstByte(), "bytes of packet " + i);
                assertEquals(PacketHandler.NO_VLAN_TAG, seen.vlanTag());
            }
        }
    }

    @Test
    void timestampsAreUnsignedSeconds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 16, 4096);
            long after2038 = 3_000_000_000L * 1_000_000_000L + 5;
            BlockWalker.writeSyntheticBlock(memory, 0, new int[] {60}, after2038, false);
            Recorder recorder = new Recorder();
            BlockWalker.walk(memory, 0, recorder);
            assertEquals(after2038, recorder.packets.get(0).nanos());
        }
    }

    @Test
    void aBlockTheKernelStillOwnsGivesUpItsPacketsButStaysTheKernels() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 16, 4096);
            BlockWalker.writeSyntheticBlock(memory, 0, new int[] {60, 70, 80}, 0, false);
            BlockWalker.release(memory, 0); // as if the kernel had not retired it yet
            Recorder recorder = new Recorder();
            assertEquals(3, BlockWalker.walkUnretired(memory, 0, recorder, 0));
            assertEquals(List.of(60, 70, 80), recorder.packets.stream().map(Seen::caplen).toList());
            assertFalse(BlockWalker.isReady(memory, 0));
        }
    }

    @Test
    void anEmptyUnretiredBlockGivesNothingAndNoBatchEnd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 16, 4096);
            Recorder recorder = new Recorder();
            assertEquals(0, BlockWalker.walkUnretired(memory, 0, recorder, 0));
            assertEquals(0, recorder.batches);
        }
    }

    /** Packet types as the kernel writes them into each packet's sockaddr_ll (linux/if_packet.h). */
    private static final int[] TYPES = {0, 4, 1, 4, 2, 3, 4, 0}; // host, outgoing, broadcast, outgoing, multicast, otherhost, outgoing, host

    private static Recorder walkWithDirection(Direction direction, boolean loopback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(1 << 20, 4096);
            int[] lengths = {60, 61, 62, 63, 64, 65, 66, 67};
            BlockWalker.writeSyntheticBlock(memory, 0, lengths, 0, false, TYPES);
            Recorder recorder = new Recorder();
            assertEquals(lengths.length, BlockWalker.walk(memory, 0, recorder, direction.skippedPacketTypes(loopback)),
                    "every packet of the block is walked, kept or skipped");
            return recorder;
        }
    }

    private static List<Integer> keptLengths(Recorder recorder) {
        return recorder.packets.stream().map(Seen::caplen).toList();
    }

    @Test
    void outgoingPacketsAreSkippedAndCountedOnLoopbackAndForDirectionIn() {
        for (Recorder r : List.of(walkWithDirection(Direction.INOUT, true), walkWithDirection(Direction.IN, false))) {
            assertEquals(List.of(60, 62, 64, 65, 67), keptLengths(r));
            assertEquals(3, r.skippedByDirection);
        }
    }

    @Test
    void directionOutKeepsOnlyOutgoingPacketsAndInoutKeepsAll() {
        Recorder out = walkWithDirection(Direction.OUT, false);
        assertEquals(List.of(61, 63, 66), keptLengths(out));
        assertEquals(5, out.skippedByDirection);
        Recorder all = walkWithDirection(Direction.INOUT, false);
        assertEquals(8, all.packets.size());
        assertEquals(0, all.skippedByDirection);
        assertEquals(0, walkWithDirection(Direction.OUT, true).packets.size(), "tcpdump -Q out -i lo keeps nothing either");
    }
}
