package gulp.format;

import gulp.ring.ByteRingConsumer;
import gulp.stats.InterfaceFigures;
import gulp.stats.SessionFigures;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The pcapng file envelope: every file starts with its own section header followed by every
 * interface description written so far (in their order, so interface ids stay valid after a
 * rotation) and ends with exactly one interface statistics block per interface.
 *
 * <p>Interface descriptions travel in the ring (the reader writes one when an interface is
 * declared, at start or mid-stream); this envelope keeps a copy of each as the writer writes it.
 * Packets written per interface: while one interface is described they are all its own, so the
 * writer's packet count is the figure and the writer walks packets by their length alone; from
 * the moment a second description passes (everything before it was the first interface's) the
 * writer shows each packet and its interface id is counted. The statistics (README, "pcapng"):
 * counts since the start of the run, as the pcapng specification defines them, taken when the
 * file is finished — {@code isb_ifrecv} packets the kernel received for the socket (live only),
 * {@code isb_ifdrop} every packet lost before the file (the interface's, the kernel's and gulp's
 * ring-full drops: the figure Wireshark shows as "Dropped packets", as dumpcap adds its own drops
 * to it), {@code isb_osdrop} the kernel's and gulp's ring-full drops, {@code isb_filteraccept}
 * packets the filters accepted, {@code isb_usrdeliv} packets of the interface written to the
 * output so far (this file and the earlier ones); {@code isb_starttime} the start of the run,
 * {@code isb_endtime} the moment the file was finished. A figure not known is left out. A mirror
 * session's interface ({@code -d}) has its upstream loss (ERSPAN sequence gaps) as {@code isb_ifdrop}.
 *
 * <p>Writer thread only (the figures are read from any thread by design).
 */
public final class PcapngEnvelope implements FileEnvelope {
    private final byte[] sectionHeader;
    private final InterfaceFigures figures;
    private final LongSupplier wallClockNanos;
    private final long startNanos;
    private final List<byte[]> descriptions = new ArrayList<>();
    /** Per interface, once {@link #perInterface}: packets written. */
    private long[] delivered = new long[4];
    /** A second interface was described: packets are shown one by one and counted by interface. */
    private boolean perInterface;
    /** Every packet written (the writer's count). */
    private long packetsWritten;
    private SessionFigures sessions = NO_SESSIONS;
    /** Interfaces seen that are not mirror sessions (the capture's own interfaces and inputs). */
    private int ownInterfaces;

    private static final SessionFigures NO_SESSIONS = new SessionFigures() {
        @Override
        public boolean isSession(int id) {
            return false;
        }

        @Override
        public long upstreamLoss(int id) {
            return InterfaceFigures.UNKNOWN;
        }
    };

    /**
     * @param sectionHeader  {@link PcapngBlocks#sectionHeader}
     * @param figures        the run's per-interface counters
     * @param wallClockNanos the time now, nanoseconds since the epoch
     */
    public PcapngEnvelope(byte[] sectionHeader, InterfaceFigures figures, LongSupplier wallClockNanos) {
        this.sectionHeader = sectionHeader.clone();
        this.figures = figures;
        this.wallClockNanos = wallClockNanos;
        this.startNanos = wallClockNanos.getAsLong();
    }

    /** With {@code -d}: which interfaces are mirror sessions; their {@code isb_ifdrop} is the session's upstream loss. Before the run. */
    public void setSessions(SessionFigures sessions) {
        this.sessions = sessions;
    }

    @Override
    public byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sectionHeader.length + 64 * descriptions.size());
        out.writeBytes(sectionHeader);
        for (byte[] description : descriptions) {
            out.writeBytes(description);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] trailer() {
        long now = wallClockNanos.getAsLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 * descriptions.size());
        for (int id = 0; id < descriptions.size(); id++) {
            out.writeBytes(PcapngBlocks.interfaceStatistics(id, now, statistics(id, now)));
        }
        return out.toByteArray();
    }

    /** Interfaces described so far. */
    public int interfaces() {
        return descriptions.size();
    }

    /** Packets of interface {@code id} written so far. */
    public long delivered(int id) {
        if (!perInterface) {
            return id == 0 ? packetsWritten : 0;
        }
        return id < delivered.length ? delivered[id] : 0;
    }

    /**
     * The figures of interface {@code id}. The counters come from {@link InterfaceFigures} only
     * where they are the interface's own: a single-interface figure set stands for all the
     * interfaces of a file input, so with several interfaces only the writer's own count is given.
     */
    PcapngBlocks.InterfaceStatistics statistics(int id, long now) {
        long deliveredSoFar = delivered(id);
        if (sessions.isSession(id)) { // a mirror session: lost upstream, before it reached this host
            return new PcapngBlocks.InterfaceStatistics(startNanos, now, PcapngBlocks.UNKNOWN, sessions.upstreamLoss(id),
                    PcapngBlocks.UNKNOWN, PcapngBlocks.UNKNOWN, deliveredSoFar);
        }
        boolean own = id < figures.count() && !(figures.count() == 1 && ownInterfaces > 1);
        if (!own) {
            return new PcapngBlocks.InterfaceStatistics(startNanos, now, PcapngBlocks.UNKNOWN, PcapngBlocks.UNKNOWN,
                    PcapngBlocks.UNKNOWN, PcapngBlocks.UNKNOWN, deliveredSoFar);
        }
        long kernelDropped = figures.kernelDropped(id);
        long ringFull = figures.ringFullDropped(id);
        long interfaceDropped = figures.interfaceDropped(id);
        long stored = figures.recordsStored(id);
        // Kafka drops (kafka-consume: the box's packets lost between its ring and Kafka) are the capture
        // host's losses after the interface delivered them, as the kernel's and the ring's: isb_osdrop.
        long osDropped = sumOfKnown(kernelDropped, ringFull, figures.kafkaDropped(id));
        long allDropped = sumOfKnown(osDropped, interfaceDropped, InterfaceFigures.UNKNOWN);
        long accepted = stored < 0 ? PcapngBlocks.UNKNOWN : stored + known(ringFull) + known(kernelDropped);
        return new PcapngBlocks.InterfaceStatistics(startNanos, now, figures.kernelReceived(id), allDropped,
                accepted, osDropped, deliveredSoFar);
    }

    /** The sum of the figures that are known; unknown if none is. */
    private static long sumOfKnown(long a, long b, long c) {
        if (a < 0 && b < 0 && c < 0) {
            return PcapngBlocks.UNKNOWN;
        }
        return known(a) + known(b) + known(c);
    }

    private static long known(long figure) {
        return Math.max(0, figure);
    }

    @Override
    public boolean watchesRecords() {
        return true;
    }

    @Override
    public void packetsWritten(long total) {
        packetsWritten = total;
    }

    @Override
    public boolean onRecord(ByteRingConsumer ring, long position, long length, boolean packet, long packetsBefore) {
        if (packet) {
            int id = PcapngRecordFraming.packetInterfaceId(ring, position);
            if (id >= 0 && id < delivered.length) {
                delivered[id]++;
            }
            return true;
        }
        if (ring.intLittleEndianAt(position + PcapngBlock.TYPE_OFFSET) == PcapngBlock.TYPE_INTERFACE_DESCRIPTION) {
            byte[] block = new byte[(int) length];
            for (int i = 0; i < length; i += 4) { // blocks are whole 32-bit words; the copy is wrap-aware
                int word = ring.intLittleEndianAt(position + i);
                block[i] = (byte) word;
                block[i + 1] = (byte) (word >>> 8);
                block[i + 2] = (byte) (word >>> 16);
                block[i + 3] = (byte) (word >>> 24);
            }
            if (!sessions.isSession(descriptions.size())) {
                ownInterfaces++;
            }
            descriptions.add(block);
            if (descriptions.size() > delivered.length) {
                delivered = Arrays.copyOf(delivered, delivered.length * 2);
            }
            if (descriptions.size() == 2 && !perInterface) { // every packet so far was the first interface's
                delivered[0] = packetsBefore;
                perInterface = true;
            }
        }
        return perInterface;
    }
}
