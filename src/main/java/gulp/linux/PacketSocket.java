package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring mapped into this process. Set up in the
 * order libpcap uses: socket (protocol 0, so nothing is queued yet), version, filter, ring, mmap,
 * then bind to one interface with ETH_P_ALL, then promiscuous membership.
 */
public final class PacketSocket implements AutoCloseable {
    /** Every frame is at least this far into a block; 16-aligned as the kernel wants. */
    public static final int FRAME_SIZE = 2048;
    /** IEEE 802 "local experimental" EtherType 1: bound to only so that the kernel unhooks ETH_P_ALL. */
    private static final int UNUSED_PROTOCOL = 0x88B5;

    static {
        TpacketBlockDesc.verify();
        Tpacket3Hdr.verify();
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private MemorySegment ring = MemorySegment.NULL;
    /**
     * The ring again, in {@link #arena}'s scope, for readers on other threads
     * ({@link #userOwnedBlocks}): {@link #close} closes the arena before it unmaps, so such a read
     * fails instead of touching unmapped memory. The reader thread's walk uses {@link #ring}
     * (no scope check per access).
     */
    private volatile MemorySegment sharedView = MemorySegment.NULL;
    private int blockSize;
    private int blockCount;
    private boolean closed;
    /** Joined a fanout group ({@link #joinFanout}): it can no longer be rebound. */
    private boolean inFanout;
    // PACKET_STATISTICS is clear-on-read: these are the running 64-bit totals.
    private long packetsTotal;
    private long dropsTotal;
    private final MemorySegment statistics = arena.allocate(TpacketStatsV3.SIZE, 4);

    private PacketSocket(int fd) {
        this.fd = fd;
    }

    /** socket(AF_PACKET, SOCK_RAW, 0) switched to TPACKET_V3. */
    public static PacketSocket open() throws NativeException {
        return open(false);
    }

    /**
     * socket(AF_PACKET, SOCK_RAW or, when {@code cooked}, SOCK_DGRAM, 0) switched to TPACKET_V3.
     * A cooked socket gets each packet from its network-layer header on, its link-layer facts in
     * the sockaddr_ll beside it (what {@code -i any} needs: interfaces of any hardware type).
     */
    public static PacketSocket open(boolean cooked) throws NativeException {
        Libc libc = Libc.current();
        int fd = libc.socket(Libc.AF_PACKET, (cooked ? Libc.SOCK_DGRAM : Libc.SOCK_RAW) | Libc.SOCK_CLOEXEC, 0);
        PacketSocket socket = new PacketSocket(fd);
        try {
            libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_VERSION, Libc.TPACKET_V3, "setsockopt PACKET_VERSION");
        } catch (NativeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    public int fd() {
        return fd;
    }

    /** SO_ATTACH_FILTER with a {@code struct sock_fprog}; call before {@link #bind}. */
    public void attachFilter(MemorySegment sockFprog) throws NativeException {
        Libc.current().setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, sockFprog.reinterpret(SockFprog.SIZE),
                "setsockopt SO_ATTACH_FILTER");
    }

    /**
     * PACKET_IGNORE_OUTGOING: the kernel stops handing this socket the packets this host sends
     * (they are never copied nor counted). Linux 4.20 and later; older kernels fail (ENOPROTOOPT).
     */
    public void ignoreOutgoing() throws NativeException {
        Libc.current().setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, 1, "setsockopt PACKET_IGNORE_OUTGOING");
    }

    /**
     * PACKET_RESERVE: the kernel leaves {@code bytes} free in front of every packet in the ring
     * (libpcap's room for the cooked header it builds in place). Call before {@link #createRing}.
     */
    public void reserve(int bytes) throws NativeException {
        Libc.current().setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_RESERVE, bytes, "setsockopt PACKET_RESERVE");
    }

    /**
     * PACKET_RX_RING with {@code blockCount} blocks of {@code blockSize} bytes (a multiple of the
     * page size), closed by the kernel after {@code retireMillis} even if not full; then mmap.
     */
    public void createRing(int blockSize, int blockCount, int retireMillis) throws NativeException {
        Libc libc = Libc.current();
        libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_RX_RING,
                TpacketReq3.allocate(arena, blockSize, blockCount, FRAME_SIZE, retireMillis), "setsockopt PACKET_RX_RING");
        ring = libc.mmap((long) blockSize * blockCount, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        sharedView = ring.reinterpret(arena, null); // after the sizes: a reader that sees the view sees them
    }

    /**
     * Blocks of the ring the kernel has handed to user space and not yet got back (TP_STATUS_USER),
     * from any thread, without a lock: a racy count for a gauge. 0 before the ring exists, -1 once
     * the socket is closed.
     */
    public int userOwnedBlocks() {
        MemorySegment view = sharedView;
        long size = blockSize;
        int count = 0;
        try {
            for (long block = 0; block < view.byteSize(); block += size) {
                if (TpacketBlockDesc.userOwns(view, block)) {
                    count++;
                }
            }
        } catch (IllegalStateException closedMeanwhile) {
            return -1;
        }
        return count;
    }

    /** Starts receiving every protocol on {@code ifindex} (0: on every interface of the namespace). */
    public void bind(int ifindex) throws NativeException {
        Libc.current().bind(fd, SockaddrLl.allocate(arena, ifindex, Libc.ETH_P_ALL));
    }

    /**
     * Makes the kernel deliver nothing more, and returns only once every packet it was delivering
     * is in the ring and counted. A bind with protocol 0 does not do this (the kernel reads 0 as
     * "keep the current protocol"), so: attach a filter that rejects everything, then bind to a
     * protocol no traffic uses. That bind unhooks ETH_P_ALL with synchronize_net(), which waits for
     * every receiver that might still have seen the old filter.
     */
    public void stopDelivery(int ifindex) throws NativeException {
        try (Arena scratch = Arena.ofConfined()) {
            rejectAll();
            if (inFanout) {
                // A fanout member cannot be rebound (EINVAL): wait out the receivers another way.
                graceForReceivers();
            } else {
                Libc.current().bind(fd, SockaddrLl.allocate(scratch, ifindex, UNUSED_PROTOCOL));
            }
        }
    }

    /** SO_DETACH_FILTER: every packet is taken whole again. */
    public void detachFilter() throws NativeException {
        Libc.current().setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_DETACH_FILTER, 0, "setsockopt SO_DETACH_FILTER");
    }

    /** Attaches a filter that rejects every packet (BPF_RET|BPF_K 0). */
    public void rejectAll() throws NativeException {
        try (Arena scratch = Arena.ofConfined()) {
            attachFilter(SockFprog.build(scratch, new int[][] {{BpfLayouts.RET_K, 0, 0, 0}}));
        }
    }

    /**
     * Joins fanout group {@code id} of the interface this socket is bound to, with {@code mode}
     * and {@code flags} ({@link PacketFanout}); call after {@link #bind}.
     */
    public void joinFanout(int id, int mode, int flags) throws NativeException {
        Libc.current().setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_FANOUT, PacketFanout.value(id, mode, flags),
                "setsockopt PACKET_FANOUT");
        inFanout = true;
    }

    /**
     * Returns once every packet receiver that may still have seen this socket's old filter has
     * finished: a scratch packet socket bound to an unused protocol, then rebound to another,
     * unhooks its protocol with synchronize_net() (a grace period for every receiver on the
     * system, this socket's included), as {@link #stopDelivery}'s own rebind does.
     */
    private static void graceForReceivers() throws NativeException {
        Libc libc = Libc.current();
        int scratchFd = libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        try (Arena scratch = Arena.ofConfined()) {
            libc.bind(scratchFd, SockaddrLl.allocate(scratch, 0, UNUSED_PROTOCOL));
            libc.bind(scratchFd, SockaddrLl.allocate(scratch, 0, UNUSED_PROTOCOL + 1));
        } finally {
            libc.close(scratchFd);
        }
    }

    /** Promiscuous mode for the lifetime of this socket. */
    public void enablePromiscuous(int ifindex) throws NativeException {
        Libc.current().setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_ADD_MEMBERSHIP, PacketMreq.promiscuous(arena, ifindex),
                "setsockopt PACKET_ADD_MEMBERSHIP");
    }

    /** The mapped ring: {@link #blockCount()} blocks of {@link #blockSize()} bytes. */
    public MemorySegment ring() {
        return ring;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockCount() {
        return blockCount;
    }

    /** Reads (and so clears) the kernel statistics and adds them to the totals. */
    public void readStatistics() throws NativeException {
        Libc.current().getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, statistics, "getsockopt PACKET_STATISTICS");
        packetsTotal += Integer.toUnsignedLong(statistics.get(JAVA_INT, TpacketStatsV3.PACKETS_OFFSET));
        dropsTotal += Integer.toUnsignedLong(statistics.get(JAVA_INT, TpacketStatsV3.DROPS_OFFSET));
    }

    /** Packets that passed the filter, dropped ones included (tp_packets). */
    public long packetsTotal() {
        return packetsTotal;
    }

    /** Packets that passed the filter but found the ring full (tp_drops). */
    public long dropsTotal() {
        return dropsTotal;
    }

    /** Unmaps the ring and closes the socket (which also ends promiscuous mode). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc libc = Libc.current();
        // First the arena: a reader of the shared view on another thread fails from now on (the
        // close waits out one that is reading), so the unmapping below cannot pull memory from under it.
        boolean viewClosed = closeArena();
        try {
            if (ring.byteSize() > 0 && viewClosed) {
                libc.munmap(ring);
            }
        } catch (NativeException ignored) {
            // Nothing to do: the mapping goes away with the process anyway.
        }
        ring = MemorySegment.NULL;
        try {
            libc.close(fd);
        } catch (NativeException ignored) {
            // close(2) errors on a socket leave nothing to recover.
        }
    }

    /** Closes {@link #arena}; false if it stayed in use (the mapping is then left to the process's exit). */
    private boolean closeArena() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                arena.close();
                return true;
            } catch (IllegalStateException inUse) {
                Thread.onSpinWait();
            }
        }
        return false;
    }
}
