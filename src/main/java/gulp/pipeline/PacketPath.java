package gulp.pipeline;

import gulp.capture.PacketFlags;
import gulp.capture.PacketHandler;
import gulp.decap.DecapResult;
import gulp.decap.DecapOutcome;
import gulp.decap.Decapsulator;
import gulp.format.CaptureInterface;
import gulp.format.PcapRecordHeader;
import gulp.format.RecordEncoder;
import gulp.ring.ByteRingProducer;
import gulp.ring.IdleStrategy;
import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;
import gulp.stats.SessionFigures;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The reader thread's per-packet path: optional user-space filter, then encoding into the ring.
 * Sources that can wait (files, pipes) wait here for room; live sources drop and count instead.
 * Interfaces declared here ({@link #declareInterface}) go into the ring as the encoder records
 * them (pcapng interface descriptions; nothing for classic pcap), and each packet carries the
 * interface selected last, its pcapng flags and the packets of its interface lost since the
 * previous one (ring full).
 */
public final class PacketPath implements PacketHandler {
    /**
     * Decides per packet whether it is kept (the user-space side of {@code -f}). {@code vlanTag} and
     * {@code packetType} are a live frame's metadata (the outer tag the kernel removed, or
     * {@link #NO_VLAN_TAG}; sll_pkttype, or {@link #UNKNOWN_PACKET_TYPE}).
     */
    @FunctionalInterface
    public interface PacketFilter {
        boolean accept(MemorySegment data, long offset, int caplen, int wirelen, int vlanTag, int packetType);
    }

    /** The packet type of a packet that did not come from a live interface. */
    public static final int UNKNOWN_PACKET_TYPE = -1;

    private final ByteRingProducer ring;
    private final RecordEncoder encoder;
    private final boolean waitWhenFull;
    private final CaptureCounters counters;
    private final RunControl control;
    private final IdleStrategy idle;
    private final long countLimit;
    private PacketFilter filter;
    /** For packets written as they came although decapsulating ({@code --keep-other}). */
    private PacketFilter otherFilter;
    private Decapsulator decapsulator;
    private final DecapResult decapResult = new DecapResult();
    /** Decapsulated frames behind a synthetic Ethernet header are assembled here (reader thread only). */
    private MemorySegment assembly;
    private long recordsStored;
    private boolean closed;
    private boolean holdWhenFull;
    /** The writer's word on whether its output is stalled (set before the run; never null). */
    private BooleanSupplier outputStall = () -> false;
    // Interfaces (reader thread; changed only when one is declared, never per packet).
    private final Map<CaptureInterface, Integer> interfaceIds = new HashMap<>();
    private long[] dropsSinceLast = new long[4]; // per interface: packets lost since its last record
    private int currentInterface;
    private String filterExpression;
    private int decapsulatedLinkType = -1;
    private boolean sessionInterfaces;
    /** With -d and pcapng: each mirror session its own interface (reader thread; figures read anywhere). */
    private volatile MirrorSessions sessions;

    /**
     * @param countLimit stop after this many records (0 = no limit)
     */
    public PacketPath(ByteRingProducer ring, RecordEncoder encoder, boolean waitWhenFull,
                      CaptureCounters counters, RunControl control, long maxParkNanos, long countLimit) {
        this.ring = ring;
        this.encoder = encoder;
        this.waitWhenFull = waitWhenFull;
        this.counters = counters;
        this.control = control;
        this.idle = new IdleStrategy(maxParkNanos);
        this.countLimit = countLimit;
    }

    /**
     * Held kernel blocks (the default; off with {@code --no-hold-kernel-blocks}): a live source leaves a kernel block where it is while this ring
     * lacks room for it, so the kernel's ring buffers too, instead of the block's packets being
     * dropped here. Ignored once the writer has failed (nothing would make room).
     */
    public void setHoldWhenFull(boolean hold) {
        this.holdWhenFull = hold;
    }

    /** Where the writer says its output is stalled ({@link gulp.output.Sink#stalled}, a Kafka producer refusing). Before the run. */
    public void watchOutputStall(BooleanSupplier stalled) {
        this.outputStall = stalled;
    }

    @Override
    public boolean outputStalled() {
        return outputStall.getAsBoolean();
    }

    @Override
    public boolean mayTake(long bytes) {
        if (!holdWhenFull || control.writerError() != null || (countLimit > 0 && recordsStored >= countLimit)) {
            return true; // nothing to hold for: no writer to make room, or nothing more will be stored
        }
        return ring.hasRoom(decapsulator == null ? bytes : bytes + decapsulator.heldOutputBytes());
    }

    /**
     * The filter sees the frame that will be written: with {@code -d}, the inner frame. Packets
     * that are not decapsulated but kept ({@code --keep-other}) go through {@code otherFilter}.
     */
    public void setFilter(PacketFilter filter, PacketFilter otherFilter) {
        this.filter = filter;
        this.otherFilter = otherFilter;
    }

    /**
     * What every interface declared from now on says about the output: the filter expression as
     * the user gave it (or null), and with {@code -d} the link type of the decapsulated frames.
     */
    public void describeOutput(String filterExpression, int decapsulatedLinkType) {
        this.filterExpression = filterExpression;
        this.decapsulatedLinkType = decapsulatedLinkType;
    }

    /**
     * With {@code -d}: each mirror session becomes its own interface ({@link MirrorSessions}),
     * for an output that records interfaces (pcapng). Call before {@link #setDecapsulator}.
     */
    public void declareMirrorSessions() {
        this.sessionInterfaces = true;
    }

    /** Which interfaces are mirror sessions and their upstream loss (none without {@link #declareMirrorSessions}). */
    public SessionFigures sessionFigures() {
        return new SessionFigures() {
            @Override
            public boolean isSession(int id) {
                MirrorSessions s = sessions;
                return s != null && s.isSession(id);
            }

            @Override
            public long upstreamLoss(int id) {
                MirrorSessions s = sessions;
                return s == null ? InterfaceFigures.UNKNOWN : s.upstreamLoss(id);
            }
        };
    }

    /**
     * Declares an interface (an equal one declared before keeps its id): the encoder writes its
     * description into the ring now, waiting for room as long as the run goes on.
     */
    @Override
    public int declareInterface(CaptureInterface description) {
        CaptureInterface output = new CaptureInterface(description.name(), description.description(),
                decapsulatedLinkType >= 0 ? decapsulatedLinkType : description.linkType(), description.snaplen(),
                description.filter() != null ? description.filter() : filterExpression);
        Integer known = interfaceIds.get(output);
        if (known != null) {
            return known;
        }
        int id = interfaceIds.size();
        long length = encoder.appendInterface(ring, output);
        if (length == 0) {
            ring.publish(recordsStored);
            idle.reset();
            while (length == 0 && !control.stopRequested()) {
                idle.idle();
                length = encoder.appendInterface(ring, output);
            }
            if (length == 0) {
                closed = true; // stopped: no packet of it may follow without its description
            }
        }
        interfaceIds.put(output, id);
        if (id >= dropsSinceLast.length) {
            dropsSinceLast = Arrays.copyOf(dropsSinceLast, dropsSinceLast.length * 2);
        }
        return id;
    }

    @Override
    public void selectInterface(int interfaceId) {
        currentInterface = interfaceId;
    }

    public void setDecapsulator(Decapsulator decapsulator) {
        this.decapsulator = decapsulator;
        if (sessionInterfaces) {
            sessions = new MirrorSessions(decapsulator.sequenceGaps(), 0, filterExpression);
        }
        this.assembly = Arena.ofAuto().allocate(PcapRecordHeader.MAX_CAPLEN + 64L, 8);
    }

    /** End of input: fragments still waiting for their datagram are given up (and counted). */
    public void finish() {
        if (decapsulator != null) {
            decapsulator.finish();
        }
    }

    @Override
    public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag) {
        onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag, UNKNOWN_PACKET_TYPE);
    }

    @Override
    public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                         int packetType) {
        onPacket(data, offset, caplen, wirelen, timestampNanos, vlanTag, packetType, 0);
    }

    @Override
    public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                         int packetType, int tpStatus) {
        if (closed) {
            return;
        }
        counters.packetsRead.increment();
        if (countLimit > 0 && recordsStored >= countLimit) {
            return;
        }
        if (decapsulator != null) {
            switch (decapsulator.decapsulate(data, offset, caplen, wirelen, timestampNanos, decapResult)) {
                case INNER -> {
                    DecapResult inner = decapResult;
                    MirrorSessions mirrors = sessions;
                    int outerInterface = currentInterface;
                    if (mirrors != null) {
                        currentInterface = mirrors.interfaceOf(this, inner, data, offset, caplen);
                    }
                    if (inner.hasSyntheticPrefix()) {
                        int length = inner.copyTo(assembly, 0, (int) assembly.byteSize());
                        keep(assembly, 0, length, inner.recordWireLength(), inner.timestampNanos(), NO_VLAN_TAG,
                                UNKNOWN_PACKET_TYPE, 0, inner.direction(), filter);
                    } else {
                        keep(inner.segment(), inner.offset(), inner.innerCaplen(), inner.innerWireLength(),
                                inner.timestampNanos(), NO_VLAN_TAG, UNKNOWN_PACKET_TYPE, 0, inner.direction(), filter);
                    }
                    currentInterface = outerInterface;
                    return;
                }
                case OTHER -> {
                    if (!decapsulator.config().keepOther()) {
                        counters.decapSkipped.increment();
                        return;
                    }
                    keep(data, offset, caplen, wirelen, timestampNanos, vlanTag, packetType, tpStatus,
                            DecapResult.DIRECTION_UNKNOWN, otherFilter);
                    return;
                }
                case HELD -> {
                    return; // a fragment: its datagram comes out when complete
                }
                default -> {
                    counters.decapSkipped.increment();
                    return;
                }
            }
        }
        keep(data, offset, caplen, wirelen, timestampNanos, vlanTag, packetType, tpStatus, DecapResult.DIRECTION_UNKNOWN,
                filter);
    }

    /**
     * Filters and stores one packet. Its pcapng {@code epb_flags} ({@link PacketFlags}) are made only
     * once the filter has kept it: a live packet's from {@code packetType} and {@code tpStatus}, a
     * decapsulated frame's ({@code packetType} unknown) from its mirror {@code direction}.
     */
    private void keep(MemorySegment data, long offset, int caplen, int wirelen, long timestampNanos, int vlanTag,
                      int packetType, int tpStatus, int direction, PacketFilter filter) {
        if (filter != null && !filter.accept(data, offset, caplen, wirelen, vlanTag, packetType)) {
            counters.filteredOut.increment();
            return;
        }
        int flags = PacketFlags.of(packetType, tpStatus, direction);
        long length = store(timestampNanos, flags, data, offset, caplen, wirelen, vlanTag);
        if (length == 0 && waitWhenFull) {
            length = waitAndStore(timestampNanos, flags, data, offset, caplen, wirelen, vlanTag);
            if (length == 0) {
                // Stopped while waiting for room: take no later packet either, so the output
                // ends at a point of the input instead of having a hole.
                closed = true;
                return;
            }
        }
        if (length == 0) {
            counters.droppedRingFull.increment();
            if (outputStall.getAsBoolean()) {
                counters.stalledRingFull.increment();
            }
            dropsSinceLast[currentInterface]++;
            return;
        }
        dropsSinceLast[currentInterface] = 0;
        recordsStored++;
        counters.recordsStored.increment();
        counters.bytesStored.add(length);
        if (recordsStored == countLimit) {
            control.requestStop("count reached");
        }
    }

    private long store(long timestampNanos, int flags, MemorySegment data, long offset, int caplen, int wirelen,
                       int vlanTag) {
        int id = currentInterface;
        long drops = dropsSinceLast[id];
        return vlanTag == NO_VLAN_TAG
                ? encoder.append(ring, timestampNanos, id, flags, drops, data, offset, caplen, wirelen)
                : encoder.appendWithVlanTag(ring, timestampNanos, id, flags, drops, vlanTag, data, offset, caplen, wirelen);
    }

    /** Back-pressure for input that can wait: publish what we have, then wait for the writer. */
    private long waitAndStore(long timestampNanos, int flags, MemorySegment data, long offset, int caplen, int wirelen,
                              int vlanTag) {
        ring.publish(recordsStored);
        idle.reset();
        while (!control.stopRequested()) {
            idle.idle();
            long length = store(timestampNanos, flags, data, offset, caplen, wirelen, vlanTag);
            if (length != 0) {
                return length;
            }
        }
        return 0;
    }

    @Override
    public int verbatimSnaplen(boolean nanosecond) {
        return filter == null && decapsulator == null && countLimit == 0 && waitWhenFull && !closed
                ? encoder.verbatimSnaplen(nanosecond) : -1;
    }

    @Override
    public long verbatimRunBytes() {
        return ring.capacity() / 4; // a quarter of the ring leaves the writer room to drain
    }

    /** A run of records copied into the ring as it is, waiting for room as a file's packets do. */
    @Override
    public void onRecords(MemorySegment data, long offset, long length, int count) {
        if (closed) {
            return;
        }
        counters.packetsRead.add(count);
        if (!ring.tryClaim(length)) {
            ring.publish(recordsStored);
            idle.reset();
            while (!ring.tryClaim(length)) {
                if (control.stopRequested()) {
                    closed = true; // as for one packet: the output ends at a point of the input
                    return;
                }
                idle.idle();
            }
        }
        ring.put(data, offset, length); // one copy, two where the run straddles the ring's end
        ring.commit();
        dropsSinceLast[currentInterface] = 0;
        recordsStored += count;
        counters.recordsStored.add(count);
        counters.bytesStored.add(length);
    }

    @Override
    public void onSkippedByDirection() {
        counters.directionSkipped.increment();
    }

    @Override
    public void onBatchEnd() {
        ring.publish(recordsStored);
    }

    @Override
    public boolean stopRequested() {
        return control.stopRequested();
    }
}
