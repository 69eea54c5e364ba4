package gulp.capture;

import gulp.filter.BpfProgram;
import gulp.filter.FilterException;
import gulp.format.LinkType;
import gulp.linux.Capabilities;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.PacketSocket;
import gulp.stats.CaptureCounters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Live capture from one interface: an AF_PACKET TPACKET_V3 ring, drained block by block on the
 * reader thread. By default it leaves a block in the kernel ring until the packet path may take it
 * (gulp's ring has room), so the kernel ring buffers a stall too. With
 * {@code --no-hold-kernel-blocks} it never waits for room in gulp's ring: when it is full the
 * packet path drops and counts, and the kernel block goes back at once.
 */
public final class LiveSource implements Source {
    public static final int DEFAULT_BLOCK_SIZE = 256 << 10;
    public static final long DEFAULT_KERNEL_BUFFER = 256L << 20;
    public static final long MIN_KERNEL_BUFFER = 16L << 20;
    /** Blocks are closed by the kernel after this long, so slow traffic reaches the file quickly. */
    public static final int RETIRE_MILLIS = 32;
    private static final int IDLE_POLL_MILLIS = 100;
    /** While holding a block for want of room: the writer frees a write block every few hundred µs. */
    private static final long HOLD_PARK_NANOS = 200_000L;
    private static final long STATISTICS_INTERVAL_NANOS = 1_000_000_000L;
    /** After a stop, wait this long at most for the kernel to retire the last, partly filled block. */
    private static final long STOP_DRAIN_NANOS = (4L * RETIRE_MILLIS + 400) * 1_000_000L;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_LOOPBACK = 772;
    private static final int ARPHRD_NONE = 65534;
    private static final int ARPHRD_RAWIP = 519;
    private static final int ARPHRD_TUNNEL = 768;
    private static final int ARPHRD_TUNNEL6 = 769;
    private static final int ARPHRD_SIT = 776;
    private static final int IFF_UP = 0x1;

    /** What to open: everything the command line decides about the kernel side. */
    public record Settings(String interfaceName, boolean promiscuous, int snaplen, long kernelBufferBytes,
                           int blockSize, boolean skipEthernetCheck, Direction direction) {
    }

    private final Settings settings;
    private final int ifindex;
    private final int linkType;
    private final String linkName;
    private final PacketSocket socket;
    private final CaptureCounters counters;
    private final long interfaceDropsAtStart;
    /** Which directions are dropped, and where; the walker skips {@code direction.skippedTypes}. */
    private final SocketDirection direction;
    private boolean bound;
    private long packetsWalked;

    private LiveSource(Settings settings, int ifindex, int linkType, String linkName, PacketSocket socket,
                       CaptureCounters counters, SocketDirection direction) {
        this.settings = settings;
        this.direction = direction;
        this.ifindex = ifindex;
        this.linkType = linkType;
        this.linkName = linkName;
        this.socket = socket;
        this.counters = counters;
        this.interfaceDropsAtStart = readInterfaceDrops(settings.interfaceName());
    }

    /**
     * Checks the interface, opens the socket and creates the kernel ring; it does not receive yet
     * (see {@link #start()}), so a warm-up can run in between.
     */
    public static LiveSource open(Settings settings, CaptureCounters counters) throws InputException {
        String name = settings.interfaceName();
        Path sys = Path.of("/sys/class/net", name);
        if (name.isEmpty() || name.contains("/") || !Files.isDirectory(sys)) {
            throw new InputException("no such interface: " + name + " (interfaces: " + String.join(", ", interfaceNames()) + ")");
        }
        int type = (int) readNumber(sys.resolve("type"), -1);
        int linkType;
        String linkName;
        if (type == ARPHRD_ETHER || type == ARPHRD_LOOPBACK) {
            linkType = LinkType.ETHERNET;
            linkName = type == ARPHRD_ETHER ? "Ethernet" : "loopback (Ethernet framing)";
        } else if (!settings.skipEthernetCheck()) {
            throw new InputException(name + " is not an Ethernet interface (hardware type " + type
                    + "); use -F to capture it anyway");
        } else if (isRawIp(type)) {
            linkType = LinkType.RAW;
            linkName = "raw IP";
        } else {
            throw new InputException(name + " has hardware type " + type + ", which gulp cannot write as pcap");
        }
        long flags = readNumber(sys.resolve("flags"), 0);
        if ((flags & IFF_UP) == 0) {
            throw new InputException("interface " + name + " is down (ip link set " + name + " up)");
        }
        Libc libc = Libc.current();
        int ifindex = libc.ifNameToIndex(name);
        if (ifindex == 0) {
            throw new InputException("no such interface: " + name + " (interfaces: " + String.join(", ", interfaceNames()) + ")");
        }
        PacketSocket socket;
        try {
            socket = PacketSocket.open();
        } catch (NativeException e) {
            throw permissionOr(e, "cannot open a packet socket on " + name);
        }
        try {
            SocketDirection direction = SocketDirection.apply(settings.direction(), type == ARPHRD_LOOPBACK, socket);
            if (settings.snaplen() < 65535 || direction.needsFilter()) {
                attach(socket, name, direction, snaplenProgram(settings.snaplen()));
            }
            int blockCount = (int) Math.max(2, settings.kernelBufferBytes() / settings.blockSize());
            try {
                socket.createRing(settings.blockSize(), blockCount, RETIRE_MILLIS);
            } catch (NativeException e) {
                throw new InputException("cannot create a kernel ring of " + blockCount + " x " + (settings.blockSize() >> 10)
                        + " KiB on " + name + ": " + e.getMessage() + "; choose a smaller -B");
            }
            return new LiveSource(settings, ifindex, linkType, linkName, socket, counters, direction);
        } catch (InputException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Attaches a classic BPF program in the kernel: packets it rejects never reach the ring and are
     * not counted. It replaces the snap length filter, so its accept value should be the snap
     * length (pcap_compile's is). With {@code -Q out} it runs behind the direction check
     * ({@link gulp.filter.DirectionPrefix}). Call before {@link #start()}.
     */
    public void attachFilter(BpfProgram program) throws InputException {
        attach(socket, settings.interfaceName(), direction, program);
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

    /** Hardware types whose packets are IP with no link-layer header: tun, ipip, sit, ip6tnl, rawip. */
    private static boolean isRawIp(int type) {
        return type == ARPHRD_NONE || type == ARPHRD_TUNNEL || type == ARPHRD_TUNNEL6 || type == ARPHRD_SIT
                || type == ARPHRD_RAWIP;
    }

    /** Binds to the interface (packets start arriving in the ring) and enables promiscuous mode. */
    public void start() throws InputException {
        try {
            socket.bind(ifindex);
            bound = true;
            if (settings.promiscuous()) {
                socket.enablePromiscuous(ifindex);
            }
        } catch (NativeException e) {
            if (e.errno() == Libc.ENETDOWN) {
                throw new InputException("interface " + settings.interfaceName() + " is down");
            }
            throw permissionOr(e, "cannot bind to " + settings.interfaceName());
        }
    }

    private static InputException permissionOr(NativeException e, String context) {
        if (e.errno() == Libc.EPERM || e.errno() == Libc.EACCES) {
            return new InputException(context + ": permission denied: " + Capabilities.CAPTURE_NEEDS);
        }
        return new InputException(context + ": " + e.getMessage());
    }

    /**
     * Runs the block walker over synthetic blocks in ordinary memory, so the JIT has compiled the
     * hot path before real traffic arrives: at least {@code minBlocks}, and more until
     * {@code minNanos} have passed (at most 20 times {@code minBlocks}). {@code afterBlock} empties
     * whatever the handler filled. Call before {@link #start()}.
     */
    public static void warmUp(PacketHandler handler, Runnable afterBlock, int minBlocks, long minNanos) {
        int[][] sizes = {{60, 1514, 342, 60, 128, 1024, 60, 590}, {1514, 1514, 60, 60, 60, 60, 74, 1300}};
        int perBlock = 16; // many short blocks: C2 wants invocations of walk() as well as loop turns
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(2L * 128 * 1024, 4096);
            for (int variant = 0; variant < 2; variant++) {
                int[] lengths = new int[perBlock];
                for (int i = 0; i < perBlock; i++) {
                    lengths[i] = sizes[variant][i % sizes[variant].length];
                }
                BlockWalker.writeSyntheticBlock(memory, variant * 128L * 1024, lengths, System.currentTimeMillis() * 1_000_000L,
                        variant == 1);
            }
            long until = System.nanoTime() + minNanos;
            for (int i = 0; i < 20 * minBlocks && (i < minBlocks || System.nanoTime() < until); i++) {
                long block = (i & 1) * 128L * 1024;
                if (BlockWalker.isReady(memory, block)) {
                    BlockWalker.walk(memory, block, handler);
                }
                afterBlock.run();
            }
        }
    }

    @Override
    public String describe() {
        return settings.interfaceName() + " (" + linkName + (settings.promiscuous() ? ", promiscuous" : "") + direction.note
                + ", kernel ring " + socket.blockCount() + " x " + (socket.blockSize() >> 10) + " KiB = "
                + ((long) socket.blockCount() * socket.blockSize() >> 20) + " MiB, block timeout " + RETIRE_MILLIS + " ms)";
    }

    @Override
    public int linkType() {
        return linkType;
    }

    @Override
    public boolean waitsWhenFull() {
        return false;
    }

    @Override
    public void run(PacketHandler handler) throws InputException {
        if (!bound) {
            throw new IllegalStateException("start() first");
        }
        Libc libc = Libc.current();
        MemorySegment ring = socket.ring();
        int blockSize = socket.blockSize();
        int blockCount = socket.blockCount();
        int index = 0;
        long nextStatistics = System.nanoTime() + STATISTICS_INTERVAL_NANOS;
        long stopDeadline = 0;
        boolean stopping = false;
        boolean deliveryStopped = false;
        long delivered = 0;
        try {
            while (true) {
                counters.readerBeats.increment(); // the watchdog's sign of progress: a block, a poll, a wait
                long block = (long) index * blockSize;
                boolean ready = BlockWalker.isReady(ring, block);
                if (ready && !handler.mayTake(BlockWalker.recordBytesAtMost(ring, block))) {
                    // Held (the default): the block waits in the kernel ring until the writer
                    // makes room; meanwhile the kernel's ring buffers, and drops only when it is full.
                    Thread.interrupted(); // the pipeline's stop interrupt must not turn this wait into a spin
                    LockSupport.parkNanos(HOLD_PARK_NANOS);
                    if (stopping) {
                        stopDeadline = System.nanoTime() + STOP_DRAIN_NANOS; // draining, at the writer's pace
                    }
                } else if (ready) {
                    packetsWalked += BlockWalker.walk(ring, block, handler, direction.skippedTypes);
                    BlockWalker.release(ring, block);
                    index = index + 1 == blockCount ? 0 : index + 1;
                    if (stopping) {
                        // Still draining: however slowly this thread runs, it waits only while no
                        // block is ready.
                        stopDeadline = System.nanoTime() + STOP_DRAIN_NANOS;
                    }
                } else if (stopping) {
                    if (packetsWalked >= delivered) {
                        return;
                    }
                    if (System.nanoTime() > stopDeadline) {
                        // The kernel did not retire the last, partly filled block in time. Once
                        // delivery has stopped nothing writes into it any more: take its packets
                        // where they are.
                        if (deliveryStopped) {
                            packetsWalked += BlockWalker.walkUnretired(ring, block, handler, direction.skippedTypes);
                        }
                        return;
                    }
                    libc.poll(socket.fd(), (short) (Libc.POLLIN | Libc.POLLERR), 5);
                } else {
                    libc.poll(socket.fd(), (short) (Libc.POLLIN | Libc.POLLERR), IDLE_POLL_MILLIS);
                }
                if (!stopping && handler.stopRequested()) {
                    stopping = true;
                    stopDeadline = System.nanoTime() + STOP_DRAIN_NANOS;
                    deliveryStopped = stopDelivery();
                    // Nothing is counted after this: the statistics now say what the kernel delivered.
                    updateStatistics();
                    delivered = socket.packetsTotal() - socket.dropsTotal();
                }
                long now = System.nanoTime();
                if (now >= nextStatistics) {
                    nextStatistics = now + STATISTICS_INTERVAL_NANOS;
                    updateStatistics();
                }
            }
        } catch (NativeException e) {
            throw new InputException("capture on " + settings.interfaceName() + " failed: " + e.getMessage());
        } finally {
            updateStatistics();
        }
    }

    /** Stops the kernel's delivery to this socket; false if that failed (the interface may be gone). */
    private boolean stopDelivery() {
        try {
            socket.stopDelivery(ifindex);
            return true;
        } catch (NativeException e) {
            return false; // drain what the kernel retires; the block it is filling may stay behind
        }
    }

    private void updateStatistics() {
        try {
            socket.readStatistics();
        } catch (NativeException e) {
            return; // statistics are best effort; the capture goes on
        }
        counters.kernelReceived.set(socket.packetsTotal());
        // The pipeline interrupts the reader on a stop (meant for blocking reads); this reader
        // polls instead, and a pending interrupt would make the sysfs reads below fail.
        Thread.interrupted();
        counters.kernelDropped.set(socket.dropsTotal());
        long interfaceDrops = readInterfaceDrops(settings.interfaceName());
        if (interfaceDrops >= 0 && interfaceDropsAtStart >= 0) {
            counters.interfaceDropped.set(Math.max(0, interfaceDrops - interfaceDropsAtStart));
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    /** rx_missed_errors + rx_fifo_errors of the interface, or -1 if unreadable. */
    private static long readInterfaceDrops(String name) {
        Path statistics = Path.of("/sys/class/net", name, "statistics");
        long missed = readNumber(statistics.resolve("rx_missed_errors"), -1);
        long fifo = readNumber(statistics.resolve("rx_fifo_errors"), -1);
        return missed < 0 || fifo < 0 ? -1 : missed + fifo;
    }

    private static long readNumber(Path file, long otherwise) {
        try {
            String text = Files.readString(file).trim();
            return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return otherwise;
        }
    }

    /** The interfaces of this network namespace, sorted. */
    public static List<String> interfaceNames() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/sys/class/net"))) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    /** $CAP_IFACE if set, else the first interface that is up and not loopback; null if none. */
    public static String defaultInterface() {
        String fromEnvironment = System.getenv("CAP_IFACE");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        for (String name : interfaceNames()) {
            Path sys = Path.of("/sys/class/net", name);
            if (readNumber(sys.resolve("type"), -1) == ARPHRD_LOOPBACK) {
                continue;
            }
            if ((readNumber(sys.resolve("flags"), 0) & IFF_UP) != 0) {
                return name;
            }
        }
        return null;
    }
}
