package gulp.linux;

import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PACKET_FANOUT as the kernel takes it: the value's layout, who may join a group, and the stop of a member. */
class PacketFanoutTest {
    @Test
    void theValueCarriesTheGroupIdLowAndTheModeAndFlagsHigh() {
        assertEquals(0x8000_1234 | (PacketFanout.FLAG_ROLLOVER << 16), PacketFanout.value(0x1234, PacketFanout.HASH,
                PacketFanout.FLAG_ROLLOVER | PacketFanout.FLAG_DEFRAG));
        assertEquals(0x0005_0007, PacketFanout.value(7, PacketFanout.QM, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketFanout.value(0x10000, PacketFanout.HASH, 0));
    }

    @Test
    void boundSocketsJoinOneGroupAnotherModeIsRefusedAndAMemberStopsWithoutARebind() throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root, ip and nft");
        try (VethPair bed = VethPair.create()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread.ofPlatform().name("test-fanout").daemon().start(() -> {
                try {
                    TestLibc.enterNetworkNamespace(bed.captureNamespace);
                    int ifindex = Libc.current().ifNameToIndex(bed.captureInterface);
                    try (PacketSocket a = PacketSocket.open(); PacketSocket b = PacketSocket.open();
                         PacketSocket other = PacketSocket.open(); PacketSocket unbound = PacketSocket.open()) {
                        for (PacketSocket s : new PacketSocket[] {a, b, other}) {
                            s.createRing(1 << 20, 2, 20);
                            s.bind(ifindex);
                        }
                        int flags = PacketFanout.FLAG_ROLLOVER | PacketFanout.FLAG_DEFRAG;
                        a.joinFanout(4242, PacketFanout.HASH, flags);
                        b.joinFanout(4242, PacketFanout.HASH, flags);
                        NativeException mode = assertThrows(NativeException.class,
                                () -> other.joinFanout(4242, PacketFanout.LB, 0));
                        assertEquals(Libc.EINVAL, mode.errno());
                        NativeException notBound = assertThrows(NativeException.class,
                                () -> unbound.joinFanout(4243, PacketFanout.HASH, 0));
                        assertEquals(Libc.EINVAL, notBound.errno());
                        assertThrows(NativeException.class, () -> a.bind(ifindex)); // a member cannot be rebound
                        a.stopDelivery(ifindex); // so its stop waits out the receivers another way
                        b.stopDelivery(ifindex);
                    }
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            done.get(30, TimeUnit.SECONDS);
        }
    }
}
