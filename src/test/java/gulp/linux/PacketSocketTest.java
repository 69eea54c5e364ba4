package gulp.linux;

import gulp.testing.NamespaceSender;
import gulp.testing.Frames;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PacketSocketTest {
    /** "udp dst port 9999" for untagged IPv4 without options, written by hand as classic BPF. */
    private static final int[][] UDP_DST_9999 = {
            {0x28, 0, 0, 12},      // ldh [12]            ethertype
            {0x15, 0, 5, 0x0800},  // jeq #IPv4 else drop
            {0x30, 0, 0, 23},      // ldb [23]            IP protocol
            {0x15, 0, 3, 17},      // jeq #UDP else drop
            {0x28, 0, 0, 36},      // ldh [36]            UDP destination port (IHL 5)
            {0x15, 0, 1, 9999},    // jeq #9999 else drop
            {0x06, 0, 0, 262144},  // ret #262144         accept
            {0x06, 0, 0, 0},       // ret #0              drop
    };
    private static final VarHandle INT = JAVA_INT.varHandle();

    @Test
    void descriptorOffsetsAgreeWithTheirLayouts() {
        TpacketBlockDesc.verify();
        Tpacket3Hdr.verify();
        assertEquals(28, TpacketReq3.LAYOUT.byteSize());
        assertEquals(20, SockaddrLl.LAYOUT.byteSize());
        assertEquals(12, TpacketStatsV3.LAYOUT.byteSize());
        assertEquals(16, PacketMreq.LAYOUT.byteSize());
        assertEquals(16, SockFprog.LAYOUT.byteSize());
        assertEquals(8, PollFd.LAYOUT.byteSize());
    }

    @Test
    void anAttachedFilterLetsOnlyMatchingFramesIntoTheRingAndTheKernelNeverCountsTheOthers() throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root, ip and nft");
        int matching = 1000;
        int other = 2000;
        try (VethPair bed = VethPair.create()) {
            CompletableFuture<long[]> result = new CompletableFuture<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            AtomicLong sent = new AtomicLong();
            Thread.ofPlatform().name("test-capture").daemon().start(() -> {
                try {
                    TestLibc.enterNetworkNamespace(bed.captureNamespace);
                    try (Arena arena = Arena.ofConfined(); PacketSocket socket = PacketSocket.open()) {
                        socket.attachFilter(SockFprog.build(arena, UDP_DST_9999));
                        socket.createRing(1 << 20, 8, 20);
                        socket.bind(Libc.current().ifNameToIndex(bed.captureInterface));
                        ready.complete(null);
                        result.complete(drain(socket, matching + other));
                    }
                } catch (Throwable e) {
                    ready.completeExceptionally(e);
                    result.completeExceptionally(e);
                }
            });
            ready.get(10, TimeUnit.SECONDS);
            // Interleaved: every third frame goes to port 9999.
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, matching + other,
                    i -> Frames.numbered(i, 100, i % 3 == 0 ? 9999 : 8888), 0, sent).get(30, TimeUnit.SECONDS);
            long[] seen = result.get(30, TimeUnit.SECONDS); // {frames, wrong port, tp_packets, tp_drops}
            assertEquals(matching, seen[0], "frames in the ring");
            assertEquals(0, seen[1], "frames to other ports in the ring");
            assertEquals(matching, seen[2], "tp_packets");
            assertEquals(0, seen[3], "tp_drops");
        }
    }

    /** Reads blocks until the sender is done and the ring is quiet for 500 ms. */
    private static long[] drain(PacketSocket socket, int sent) throws NativeException {
        MemorySegment ring = socket.ring();
        long frames = 0;
        long wrongPort = 0;
        int index = 0;
        long quietSince = System.nanoTime();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            long block = (long) index * socket.blockSize();
            if (((int) INT.getAcquire(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET) & TpacketBlockDesc.TP_STATUS_USER) == 0) {
                if (System.nanoTime() - quietSince > 500_000_000L && frames > 0) {
                    break;
                }
                Libc.current().poll(socket.fd(), Libc.POLLIN, 50);
                continue;
            }
            int count = ring.get(JAVA_INT, block + TpacketBlockDesc.NUM_PKTS_OFFSET);
            long packet = block + ring.get(JAVA_INT, block + TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET);
            for (int i = 0; i < count; i++) {
                long frame = packet + Short.toUnsignedInt(ring.get(JAVA_SHORT, packet + Tpacket3Hdr.MAC_OFFSET));
                int port = Short.toUnsignedInt(ring.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), frame + 36));
                frames++;
                if (port != 9999) {
                    wrongPort++;
                }
                packet += ring.get(JAVA_INT, packet + Tpacket3Hdr.NEXT_OFFSET_OFFSET);
            }
            INT.setRelease(ring, block + TpacketBlockDesc.BLOCK_STATUS_OFFSET, TpacketBlockDesc.TP_STATUS_KERNEL);
            index = (index + 1) % socket.blockCount();
            quietSince = System.nanoTime();
        }
        socket.readStatistics();
        return new long[] {frames, wrongPort, socket.packetsTotal(), socket.dropsTotal()};
    }
}
