package gulp.capture;

import gulp.decap.Sll2Header;
import gulp.filter.BpfProgram;
import gulp.filter.FilterException;
import gulp.format.LinkType;
import gulp.linux.Capabilities;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.PacketSocket;
import gulp.stats.CaptureCounters;
import gulp.stats.Counter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One capture interface of a live run: its packet socket with its own TPACKET_V3 kernel ring, the
 * walk through that ring (which block is next, what has been walked, the stop drain), and its
 * own figures. {@link LiveSource} polls one or several of these on the reader thread. For
 * {@code -i any} the socket is cooked (SOCK_DGRAM) on every interface (ifindex 0) and each packet
 * gets a Linux cooked v2 header built in place.
 */
final class LiveSocket implements AutoCloseable {
    /** {@link #step}: a block was walked. */
    static final int WALKED = 0;
    /** {@link #step}: a block is ready but gulp's ring has no room for it yet (it stays in the kernel ring). */
    static final int HELD = 1;
    /** {@link #step}: no block is ready. */
    static final int IDLE = 2;

    final String name;
    final int ifindex;
    final int linkType;
    private final String linkName;
    final boolean cooked;
    private final boolean promiscuous;
    private final PacketSocket socket;
    /** Which directions are dropped, and where; the walker skips {@code direction.skippedTypes}. */
    private final SocketDirection direction;
    /** Under {@code any}: the loopback device, whose outgoing copies are skipped; else none. */
    private final int skipOutgoingOn;
    private final long interfaceDropsAtStart;
    /** The id the packet handler gave this interface ({@link PacketHandler#declareInterface}). */
    int id;
    /** The program attached in the kernel (before the direction check), or null: what {@link #startInFanout} restores. */
    private BpfProgram attached;
    private int index;
    private long packetsWalked;
    /** After the stop: what the kernel delivered, so what must be walked before this socket is done. */
    private long delivered = -1;
    private boolean deliveryStopped;
    /** The packet path's totals before the block being walked (reader thread). */
    private long readBefore;
    private long storedBefore;
    private long ringFullBefore;
    private long filteredBefore;
    /**
     * Holding a ready block while the output is stalled, and since then: the kernel's drops read
     * until a block is taken with the output no longer stalled are the stall's
     * ({@link #stalledKernel}), also those between two holds of one stall (a block taken when
     * the stalled writer made some room, the kernel ring still full). Statistics are read when
     * such a hold begins and when the stall ends, so the count is exact to the read.
     */
    private boolean stalledHold;

    // Written by the reader thread, read by any ({@link LiveInterfaceFigures}).
    final Counter captured = new Counter();
    final Counter stored = new Counter();
    final Counter ringFull = new Counter();
    final Counter filtered = new Counter();
    final Counter kernelReceived = new Counter();
    final Counter kernelDropped = new Counter();
    final Counter interfaceDropped = new Counter();
    /** The share of {@link #kernelDropped} read while holding blocks for a stalled output. */
    final Counter stalledKernel = new Counter();
    /** The most kernel ring bytes {@link #kernelRingUsedBytes} has seen (written by whichever thread reads it). */
    private final AtomicLong kernelRingPeak = new AtomicLong();

    private LiveSocket(String name, int ifindex, int linkType, String linkName, boolean cooked, boolean promiscuous,
                       PacketSocket socket, SocketDirection direction, int skipOutgoingOn) {
        this.name = name;
        this.ifindex = ifindex;
        this.linkType = linkType;
        this.linkName = linkName;
        this.cooked = cooked;
        this.promiscuous = promiscuous;
        this.socket = socket;
        this.direction = direction;
        this.skipOutgoingOn = skipOutgoingOn;
        this.interfaceDropsAtStart = interfaceDrops();
    }

    /**
     * Checks the interface, opens the socket and creates the kernel ring; it does not receive yet
     * (see {@link #start()}).
     */
    static LiveSocket open(LiveSource.Settings settings, String name) throws InputException {
        boolean any = NetInterface.ANY.equals(name);
        NetInterface device = any ? null : NetInterface.find(name);
        int linkType;
        String linkName;
        boolean loopback = false;
        int ifindex = 0;
        int skipOutgoingOn = BlockWalker.NO_INTERFACE;
        Libc libc = Libc.current();
        if (any) {
            linkType = Sll2Header.LINKTYPE;
            linkName = "every interface, Linux cooked v2";
            NetInterface lo = NetInterface.all().stream().filter(NetInterface::isLoopback).findFirst().orElse(null);
            if (lo != null && libc.ifNameToIndex(lo.name()) > 0) {
                skipOutgoingOn = libc.ifNameToIndex(lo.name());
            }
        } else {
            if (device == null) {
                throw new InputException(NetInterface.noSuchInterface(name));
            }
            if (device.isEthernet()) {
                linkType = LinkType.ETHERNET;
            } else if (!settings.skipEthernetCheck()) {
                throw new InputException(name + " is not an Ethernet interface (hardware type " + device.hardwareType()
                        + "); use -F to capture it anyway");
            } else if (device.isRawIp()) {
                linkType = LinkType.RAW;
            } else {
                throw new InputException(name + " has hardware type " + device.hardwareType() + ", which gulp cannot write as pcap");
            }
            linkName = device.linkName();
            loopback = device.hardwareType() == NetInterface.ARPHRD_LOOPBACK;
            if (!device.isUp()) {
                throw new InputException("interface " + name + " is down (ip link set " + name + " up)");
            }
            ifindex = libc.ifNameToIndex(name);
            if (ifindex == 0) {
                throw new InputException(NetInterface.noSuchInterface(name));
            }
        }
        PacketSocket socket;
        try {
            socket = PacketSocket.open(any);
        } catch (NativeException e) {
            throw permissionOr(e, "cannot open a packet socket on " + name);
        }
        try {
            SocketDirection direction = SocketDirection.apply(settings.direction(), loopback, socket);
            BpfProgram initial = null;
            if (settings.snaplen() < 65535 || direction.needsFilter()) {
                initial = snaplenProgram(settings.snaplen());
                attach(socket, name, direction, initial);
            }
            if (any) {
                socket.reserve(Sll2Header.LENGTH);
            }
            int blockCount = (int) Math.max(2, settings.kernelBufferBytes() / settings.blockSize());
            try {
                socket.createRing(settings.blockSize(), blockCount, LiveSource.RETIRE_MILLIS);
            } catch (NativeException e) {
                throw new InputException("cannot create a kernel ring of " + blockCount + " x " + (settings.blockSize() >> 10)
                        + " KiB on " + name + ": " + e.getMessage() + "; choose a smaller -B");
            }
            LiveSocket opened = new LiveSocket(name, ifindex, linkType, linkName, any, settings.promiscuous() && !any, socket,
                    direction, skipOutgoingOn);
            opened.attached = initial;
            return opened;
        } catch (InputException e) {
            socket.close();
            throw e;
        } catch (NativeException e) {
            socket.close();
            throw new InputException("cannot set up the packet socket on " + name + ": " + e.getMessage());
        }
    }

    /** Attaches a classic BPF program in the kernel (see {@link LiveSource#attachFilter}). */
    void attachFilter(BpfProgram program) throws InputException {
        attach(socket, name, direction, program);
        attached = program;
    }

    /**
     * As {@link #start}, then joins fanout group {@code group} ({@link gulp.linux.PacketFanout}).
     * Between the bind and the join this socket would get a copy of every packet besides the
     * group's: it rejects everything until it has joined, then takes its own filter back.
     */
    void startInFanout(int group, int mode, int flags) throws InputException {
        try {
            socket.rejectAll();
        } catch (NativeException e) {
            throw new InputException("cannot attach the filter on " + name + ": " + e.getMessage());
        }
        start();
        try {
            socket.joinFanout(group, mode, flags);
        } catch (NativeException e) {
            throw permissionOr(e, "cannot join fanout group " + group + " on " + name
                    + (e.errno() == Libc.EINVAL ? " (another capture may use this group id with another mode)" : ""));
        }
        if (attached != null) {
            attach(socket, name, direction, attached);
        } else {
            try {
                socket.detachFilter();
            } catch (NativeException e) {
                throw new InputException("cannot detach the filter on " + name + ": " + e.getMessage());
            }
        }
    }

    private static void attach(PacketSocket socket, String name, SocketDirection direction, BpfProgram program)
            throws InputException {
        try (Arena scratch = Arena.ofConfined()) {
            socket.attachFilter(direction.onSocket(program).toSockFprog(scratch));
        } catch (FilterException | NativeException e) {
            throw new InputException("cannot attach the filter on " + name + ": " + e.getMessage());
        }
    }

    /** "ret #snaplen": keeps at most {@code snaplen} bytes of every packet. */
    private static BpfProgram snaplenProgram(int snaplen) {
        return BpfProgram.of(new int[] {0x06}, new int[1], new int[1], new int[] {snaplen}); // BPF_RET|BPF_K
    }

    /** Binds (packets start arriving in the ring) and enables promiscuous mode. */
    void start() throws InputException {
        try {
            socket.bind(ifindex);
            if (promiscuous) {
                socket.enablePromiscuous(ifindex);
            }
        } catch (NativeException e) {
            if (e.errno() == Libc.ENETDOWN) {
                throw new InputException("interface " + name + " is down");
            }
            throw permissionOr(e, "cannot bind to " + name);
        }
    }

    static InputException permissionOr(NativeException e, String context) {
        if (e.errno() == Libc.EPERM || e.errno() == Libc.EACCES) {
            return new InputException(context + ": permission denied: " + Capabilities.CAPTURE_NEEDS);
        }
        return new InputException(context + ": " + e.getMessage());
    }

    int fd() {
        return socket.fd();
    }

    /** For the start-up line: "eth1 (Ethernet, promiscuous, kernel ring 1024 x 256 KiB = 256 MiB, block timeout 32 ms)". */
    String describe() {
        return name + " (" + linkName + (promiscuous ? ", promiscuous" : "") + direction.note
                + (skipOutgoingOn != BlockWalker.NO_INTERFACE ? ", loopback packets once" : "")
                + ", kernel ring " + socket.blockCount() + " x " + (socket.blockSize() >> 10) + " KiB = "
                + ((long) socket.blockCount() * socket.blockSize() >> 20) + " MiB, block timeout " + LiveSource.RETIRE_MILLIS
                + " ms)";
    }

    /**
     * Walks the next block if it is ready and the handler may take it. What the packet path
     * counted meanwhile (captured, stored, ring full, filtered) is this interface's.
     */
    int step(PacketHandler handler, CaptureCounters totals) {
        MemorySegment ring = socket.ring();
        long block = (long) index * socket.blockSize();
        if (!BlockWalker.isReady(ring, block)) {
            return IDLE;
        }
        if (!handler.mayTake(BlockWalker.recordBytesAtMost(ring, block))) {
            if (!stalledHold && handler.outputStalled()) {
                updateStatistics(); // the kernel's drops so far are not this stall's
                stalledHold = true;
            }
            return HELD;
        }
        if (stalledHold && !handler.outputStalled()) {
            updateStatistics(); // the drops of the stall, up to now
            stalledHold = false;
        } // a block taken while the output is still stalled (it made some room) does not end the stall's count
        handler.selectInterface(id);
        countFrom(totals);
        packetsWalked += BlockWalker.walk(ring, block, handler, direction.skippedTypes, skipOutgoingOn, cooked);
        BlockWalker.release(ring, block);
        index = index + 1 == socket.blockCount() ? 0 : index + 1;
        countTo(totals);
        return WALKED;
    }

    /** Notes the packet path's totals before a block is walked ({@link #countTo} attributes what it added). */
    private void countFrom(CaptureCounters totals) {
        readBefore = totals.packetsRead.get();
        storedBefore = totals.recordsStored.get();
        ringFullBefore = totals.droppedRingFull.get();
        filteredBefore = totals.filteredOut.get();
    }

    /** What the packet path counted since {@link #countFrom} is this interface's. */
    private void countTo(CaptureCounters totals) {
        captured.add(totals.packetsRead.get() - readBefore);
        stored.add(totals.recordsStored.get() - storedBefore);
        ringFull.add(totals.droppedRingFull.get() - ringFullBefore);
        filtered.add(totals.filteredOut.get() - filteredBefore);
    }

    /**
     * Stops the kernel's delivery (reject-all filter, rebind: see {@link PacketSocket#stopDelivery})
     * and reads the final statistics: from now on this socket is done once it has walked what they
     * say was delivered.
     */
    void stopDelivery() {
        try {
            socket.stopDelivery(ifindex);
            deliveryStopped = true;
        } catch (NativeException e) {
            deliveryStopped = false; // drain what the kernel retires; the block it is filling may stay behind
        }
        updateStatistics();
        delivered = socket.packetsTotal() - socket.dropsTotal();
    }

    /** True once every packet the kernel delivered before the stop has been walked. */
    boolean drained() {
        return delivered >= 0 && packetsWalked >= delivered;
    }

    /**
     * The stop drain timed out: the kernel did not retire the last, partly filled block. Once
     * delivery has stopped nothing writes into it any more: take its packets where they are.
     */
    void walkUnretired(PacketHandler handler, CaptureCounters totals) {
        if (deliveryStopped && !drained()) {
            handler.selectInterface(id);
            countFrom(totals);
            packetsWalked += BlockWalker.walkUnretired(socket.ring(), (long) index * socket.blockSize(), handler,
                    direction.skippedTypes, skipOutgoingOn, cooked);
            countTo(totals);
        }
        delivered = 0; // nothing more to wait for
    }

    /**
     * Bytes of the kernel ring held for gulp now: its blocks the kernel has handed over and the
     * reader has not yet given back (the block the kernel is filling is not counted). Read from
     * any thread, by counting block headers in the mapped ring (not on the reader's path); -1
     * once the socket is closed.
     */
    long kernelRingUsedBytes() {
        int blocks = socket.userOwnedBlocks();
        if (blocks < 0) {
            return -1;
        }
        long used = (long) blocks * socket.blockSize();
        kernelRingPeak.accumulateAndGet(used, Math::max);
        return used;
    }

    /**
     * The most {@link #kernelRingUsedBytes} has read so far in this run, this read included (a
     * scrape may read the peak before the value now: the peak is never below it).
     */
    long kernelRingPeakBytes() {
        kernelRingUsedBytes();
        return kernelRingPeak.get();
    }

    long kernelRingCapacityBytes() {
        return (long) socket.blockCount() * socket.blockSize();
    }

    /** Reads the kernel's statistics (clear-on-read, kept as totals) and the interface drops. */
    void updateStatistics() {
        long droppedBefore = socket.dropsTotal();
        try {
            socket.readStatistics();
        } catch (NativeException e) {
            return; // statistics are best effort; the capture goes on
        }
        kernelReceived.set(socket.packetsTotal());
        kernelDropped.set(socket.dropsTotal());
        if (stalledHold) {
            stalledKernel.add(socket.dropsTotal() - droppedBefore);
        }
        // The pipeline interrupts the reader on a stop (meant for blocking reads); this reader
        // polls instead, and a pending interrupt would make the sysfs reads below fail.
        Thread.interrupted();
        long drops = interfaceDrops();
        if (drops >= 0 && interfaceDropsAtStart >= 0) {
            interfaceDropped.set(Math.max(0, drops - interfaceDropsAtStart));
        }
    }

    /** rx_missed_errors + rx_fifo_errors of this interface (of every interface for {@code any}), or -1. */
    private long interfaceDrops() {
        return cooked ? NetInterface.dropsOfAll() : NetInterface.drops(name);
    }

    @Override
    public void close() {
        socket.close();
    }
}
