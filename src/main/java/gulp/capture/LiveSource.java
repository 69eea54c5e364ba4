package gulp.capture;

import gulp.filter.BpfProgram;
import gulp.format.CaptureInterface;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.PollFd;
import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Live capture from one or several interfaces ({@code -i eth1 -i eth2}, {@code -i eth1,eth2}) or
 * from every interface at once ({@code -i any}): one {@link LiveSocket} (packet socket with its own
 * TPACKET_V3 ring) per interface, all drained by this one reader thread, which polls their
 * descriptors together and walks whichever has a block ready, one block per socket in turn. By
 * default it leaves a block in its kernel ring until the packet path may take it (gulp's ring has
 * room), so the kernel rings buffer a stall too. With {@code --no-hold-kernel-blocks} it never
 * waits for room in gulp's ring: when it is full the packet path drops and counts, and the kernel
 * block goes back at once.
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

    /**
     * What to open: everything the command line decides about the kernel side, and how each
     * interface is described to the output ({@link PacketHandler#declareInterface}).
     *
     * @param interfaceNames  the interfaces, in the order given ({@code any} alone)
     * @param snaplen         what the kernel keeps of each packet
     * @param filter          the filter expression as given, or null
     * @param recordSnaplen   the snap length of the records ({@code -s})
     * @param recordLinkType  the link type of the records when it is not the interface's (-d: Ethernet), else 0
     */
    public record Settings(List<String> interfaceNames, boolean promiscuous, int snaplen, long kernelBufferBytes,
                           int blockSize, boolean skipEthernetCheck, Direction direction, String filter,
                           int recordSnaplen, int recordLinkType) {
    }

    private final Settings settings;
    private final List<LiveSocket> sockets;
    private final CaptureCounters counters;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollfds;
    // The reader's loop state ({@link #run}, on the reader thread only).
    private boolean stopping;
    private long stopDeadline;
    private long nextStatistics;

    private LiveSource(Settings settings, List<LiveSocket> sockets, CaptureCounters counters) {
        this.settings = settings;
        this.sockets = sockets;
        this.counters = counters;
        this.pollfds = arena.allocate((long) PollFd.SIZE * sockets.size(), 8);
        for (int i = 0; i < sockets.size(); i++) {
            pollfds.set(JAVA_INT, (long) i * PollFd.SIZE + PollFd.FD_OFFSET, sockets.get(i).fd());
            pollfds.set(JAVA_SHORT, (long) i * PollFd.SIZE + PollFd.EVENTS_OFFSET, (short) (Libc.POLLIN | Libc.POLLERR));
        }
    }

    /**
     * Checks every interface, opens their sockets and creates their kernel rings; nothing is
     * received yet (see {@link #start()}), so a warm-up can run in between. When one interface
     * cannot be opened, those already open are closed again.
     */
    public static LiveSource open(Settings settings, CaptureCounters counters) throws InputException {
        List<LiveSocket> sockets = new ArrayList<>();
        try {
            for (String name : settings.interfaceNames()) {
                sockets.add(LiveSocket.open(settings, name));
            }
        } catch (InputException | RuntimeException e) {
            sockets.forEach(LiveSocket::close);
            throw e;
        }
        return new LiveSource(settings, sockets, counters);
    }

    /** The interface names, in the order given. */
    public List<String> interfaceNames() {
        return sockets.stream().map(s -> s.name).toList();
    }

    /** The link type of each interface, in the order given. */
    public List<Integer> linkTypes() {
        return sockets.stream().map(s -> s.linkType).toList();
    }

    /** The summed link speed of the interfaces in bits/s, or -1 when the kernel does not know one of them ({@code any}: never). */
    public long linkBits() {
        long sum = 0;
        for (LiveSocket socket : sockets) {
            long mbps = socket.cooked ? -1 : NetInterface.speedMbps(socket.name);
            if (mbps <= 0) {
                return -1;
            }
            sum += mbps * 1_000_000L;
        }
        return sum;
    }

    /** True when every interface writes the same link type (what classic pcap can hold). */
    public boolean oneLinkType() {
        return linkTypes().stream().distinct().count() == 1;
    }

    /**
     * Attaches a classic BPF program in the kernel on interface {@code i} (in the order given):
     * packets it rejects never reach the ring and are not counted. It replaces the snap length
     * filter, so its accept value should be the snap length (pcap_compile's is). With
     * {@code -Q out} it runs behind the direction check ({@link gulp.filter.DirectionPrefix}).
     * Call before {@link #start()}.
     */
    public void attachFilter(int i, BpfProgram program) throws InputException {
        sockets.get(i).attachFilter(program);
    }

    /** Binds every socket (packets start arriving in the rings) and enables promiscuous mode. */
    public void start() throws InputException {
        for (LiveSocket socket : sockets) {
            socket.start();
        }
    }

    /**
     * As {@link #start()}, each socket then joining fanout group {@code group} with {@code mode}
     * and {@code flags} ({@link gulp.linux.PacketFanout}): one of the sockets of {@code --fanout}.
     */
    public void startInFanout(int group, int mode, int flags) throws InputException {
        for (LiveSocket socket : sockets) {
            socket.startInFanout(group, mode, flags);
        }
    }

    /** Each interface's figures, read from any thread (ids as declared: the order given). */
    @Override
    public InterfaceFigures interfaceFigures() {
        return new LiveInterfaceFigures(sockets);
    }

    /**
     * Runs the block walker over synthetic blocks in ordinary memory, so the JIT has compiled the
     * hot path before real traffic arrives: at least {@code minBlocks}, and more until
     * {@code minNanos} have passed (at most 20 times {@code minBlocks}). {@code afterBlock} empties
     * whatever the handler filled. Touches no socket: it may run before or after {@link #start()}
     * (gulp runs it beside the set-up; the kernel ring keeps packets meanwhile). Returns the blocks walked.
     */
    public static int warmUp(PacketHandler handler, Runnable afterBlock, int minBlocks, long minNanos) {
        return warmUp(handler, afterBlock, minBlocks, minNanos, null);
    }

    /**
     * As above; with {@code frames} (not null) each block is written again before it is walked,
     * with the next frames it gives (Ethernet, each at most 1514 bytes, copied at once) instead of
     * patterned ones: {@code -d}'s encapsulated frames, whose sequence numbers go on as a mirror
     * session's do, so the decapsulating path is the one compiled, with the profile of real traffic.
     */
    public static int warmUp(PacketHandler handler, Runnable afterBlock, int minBlocks, long minNanos,
                             Supplier<byte[]> frames) {
        int[][] sizes = {{60, 1514, 342, 60, 128, 1024, 60, 590}, {1514, 1514, 60, 60, 60, 60, 74, 1300}};
        int perBlock = 16; // many short blocks: C2 wants invocations of walk() as well as loop turns
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(2L * 128 * 1024, 4096);
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int variant = 0; variant < 2 && frames == null; variant++) {
                int[] lengths = new int[perBlock];
                for (int i = 0; i < perBlock; i++) {
                    lengths[i] = sizes[variant][i % sizes[variant].length];
                }
                BlockWalker.writeSyntheticBlock(memory, variant * 128L * 1024, lengths, now, variant == 1);
            }
            long until = System.nanoTime() + minNanos;
            int i = 0;
            for (; i < 20 * minBlocks && (i < minBlocks || System.nanoTime() < until); i++) {
                long block = (i & 1) * 128L * 1024;
                if (frames != null) {
                    BlockWalker.writeSyntheticBlock(memory, block, perBlock, frames, now + i * 1_000_000L);
                }
                if (BlockWalker.isReady(memory, block)) {
                    BlockWalker.walk(memory, block, handler);
                }
                afterBlock.run();
            }
            return i;
        }
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (LiveSocket socket : sockets) {
            b.append(b.isEmpty() ? "" : ", ").append(socket.describe());
        }
        return b.toString();
    }

    /** The link type of the first interface (all of them, for classic pcap: see {@link #oneLinkType()}). */
    @Override
    public int linkType() {
        return sockets.getFirst().linkType;
    }

    @Override
    public boolean waitsWhenFull() {
        return false;
    }

    @Override
    public void appendSummary(StringBuilder report) {
        if (sockets.size() > 1) {
            new LiveInterfaceFigures(sockets).appendTo(report);
        }
    }

    @Override
    public void run(PacketHandler handler) throws InputException {
        for (LiveSocket socket : sockets) {
            socket.id = handler.declareInterface(new CaptureInterface(socket.name, socket.describe(),
                    settings.recordLinkType() != 0 ? settings.recordLinkType() : socket.linkType, settings.recordSnaplen(),
                    settings.filter()));
        }
        LiveSocket[] all = sockets.toArray(LiveSocket[]::new);
        Libc libc = Libc.current();
        nextStatistics = System.nanoTime() + STATISTICS_INTERVAL_NANOS;
        try {
            // The loop is only this call: a loop that never returns stays in the interpreter until
            // on-stack replacement (tens of thousands of turns, at one turn per block or poll most of
            // a run), while a method called once per turn is compiled within the first second.
            while (turn(all, handler, libc)) {
                // the next turn
            }
        } catch (NativeException e) {
            throw new InputException("capture on " + String.join(",", interfaceNames()) + " failed: " + e.getMessage());
        } finally {
            updateStatistics();
        }
    }

    /**
     * One turn of the reader's loop: a block walked (or held) from each socket that has one, else a
     * wait in poll; the stop and its drain; the statistics once a second. False when the run is over.
     */
    private boolean turn(LiveSocket[] all, PacketHandler handler, Libc libc) throws NativeException {
        counters.readerBeats.increment(); // the watchdog's sign of progress: a block, a poll, a wait
        int walked = 0;
        int held = 0;
        boolean drained = true;
        for (LiveSocket socket : all) {
            if (stopping && socket.drained()) {
                continue;
            }
            drained = false;
            int step = socket.step(handler, counters);
            walked += step == LiveSocket.WALKED ? 1 : 0;
            held += step == LiveSocket.HELD ? 1 : 0;
        }
        if (walked > 0 || held > 0) {
            if (walked == 0) {
                // Held (the default): the blocks wait in the kernel rings until the writer
                // makes room; meanwhile the kernel's rings buffer, and drop only when full.
                Thread.interrupted(); // the pipeline's stop interrupt must not turn this wait into a spin
                LockSupport.parkNanos(HOLD_PARK_NANOS);
            }
            if (stopping) {
                // Still draining, at the writer's pace: however slowly this thread runs,
                // it waits only while no block is ready.
                stopDeadline = System.nanoTime() + STOP_DRAIN_NANOS;
            }
        } else if (stopping) {
            if (drained) {
                return false;
            }
            if (System.nanoTime() > stopDeadline) {
                // The kernel did not retire the last, partly filled blocks in time.
                for (LiveSocket socket : all) {
                    socket.walkUnretired(handler, counters);
                }
                return false;
            }
            libc.poll(pollfds, all.length, 5);
        } else {
            libc.poll(pollfds, all.length, IDLE_POLL_MILLIS);
        }
        if (!stopping && handler.stopRequested()) {
            stopping = true;
            stopDeadline = System.nanoTime() + STOP_DRAIN_NANOS;
            // Nothing is counted after this: the statistics now say what the kernel delivered.
            for (LiveSocket socket : all) {
                socket.stopDelivery();
            }
            publishTotals();
        }
        long now = System.nanoTime();
        if (now >= nextStatistics) {
            nextStatistics = now + STATISTICS_INTERVAL_NANOS;
            updateStatistics();
        }
        return true;
    }

    private void updateStatistics() {
        for (LiveSocket socket : sockets) {
            socket.updateStatistics();
        }
        publishTotals();
    }

    /** The run's kernel and interface totals: the sums over the interfaces. */
    private void publishTotals() {
        long received = 0;
        long dropped = 0;
        long interfaceDropped = 0;
        long stalled = 0;
        for (LiveSocket socket : sockets) {
            stalled += socket.stalledKernel.get();
            received += socket.kernelReceived.get();
            dropped += socket.kernelDropped.get();
            interfaceDropped += socket.interfaceDropped.get();
        }
        counters.kernelReceived.set(received);
        counters.kernelDropped.set(dropped);
        counters.interfaceDropped.set(interfaceDropped);
        counters.stalledKernel.set(stalled);
    }

    @Override
    public void close() {
        sockets.forEach(LiveSocket::close);
        arena.close();
    }
}
