package gulp.extract;

import gulp.decap.ArpHeader;
import gulp.decap.EthernetHeader;
import gulp.decap.HeaderWriter;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.UdpHeader;
import gulp.format.RecordEncoder;
import gulp.format.RecordFraming;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.ring.ByteRingProducer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.SHORT_BE;

/**
 * The JIT warm-up of the extraction index's per-record path ({@link LiveIndexer#packet},
 * {@link IndexBuilder#add}, {@link TrafficSummary#add}) for a live {@code -o} run
 * (gulp.run.LiveRun.warmUp, beside the reader's): synthetic Ethernet frames, encoded by the run's
 * own record encoder into a scratch ring, shown to throwaway indexers as the writer shows its
 * records. Without it the index's path was interpreted, then compiled (C1, then C2) during the
 * first second of traffic, on the writer's CPU: about 0.35 s of CPU in the capture window.
 * <p>
 * The frames are the kinds the summary reads differently, so every branch of its path is in the
 * profile the JIT compiles from (a branch it never saw taken is compiled as a trap, and the first
 * such packet of the capture would throw the compiled code away): IPv4 UDP and TCP (the common
 * packet), with IP options, behind a VLAN tag, IPv6, ARP; flows change every few packets (the
 * flow cache's hits and misses); a timestamp steps back now and then; each throwaway file starts
 * a new indexer, as a run's first file does (its first record takes the ring's memory and the
 * file's first header). The indexers have no index thread and are never told of a file's end:
 * nothing is written, and no thread is left behind.
 */
public final class IndexWarmUp implements AutoCloseable {
    /** Records a call of {@link #indexBatch()} indexes. */
    static final int BATCH = 16;
    /** Records of a throwaway file: each starts a new indexer. */
    static final int FILE_RECORDS = 4096;
    /** After this many records, {@link #indexBatch()} does nothing (C2 has long compiled the path). */
    static final long MAX_RECORDS = 256L * 1024;
    private static final int RING = 1 << 20;
    private static final Path PART = Path.of(".gulp-warm-up.part"); // a name only: never created
    private static final int SLOT = 128;
    private static final int FLOWS = 1000; // distinct flows: under AddressSet.EXACT_LIMIT addresses

    // Frame kinds, and each one's length: the least Ethernet frame for the short UDP and ARP packets,
    // sizes of their own for TCP and IPv6 (the summary reads only their headers), a VLAN tag or an IP
    // option word more where the frame has one.
    static final int UDP4 = 0, TCP4 = 1, UDP6 = 2, VLAN4 = 3, ARP = 4, OPTIONS4 = 5;
    private static final int TCP_LENGTH = 74, UDP6_LENGTH = 86;
    private static final int OPTION_WORDS = 1; // OPTIONS4: one word of options
    static final int[] LENGTH = {EthernetHeader.MIN_FRAME_LENGTH, TCP_LENGTH, UDP6_LENGTH,
            EthernetHeader.MIN_FRAME_LENGTH + EthernetHeader.VLAN_TAG_LENGTH, EthernetHeader.MIN_FRAME_LENGTH,
            TCP_LENGTH + Ipv4Header.WORD_LENGTH * OPTION_WORDS};
    /** Where the last 4 bytes of an IPv6 header's source address sit ({@link #setFlow} sets them). */
    private static final int IPV6_SOURCE_LAST4 = Ipv6Header.SOURCE_OFFSET + Ipv6Header.ADDRESS_LENGTH - Integer.BYTES;
    private static final int NO_PORTS = -1;
    private static final byte[] TO_MAC = {2, 0, 0, 0, 0, 1}, FROM_MAC = {2, 0, 0, 0, 0, 2};
    private static final byte[] TO_IPV4 = {10, 1, 0, 1}, FROM_IPV4 = {10, 0, 0, 0};
    private static final byte[] TO_IPV6 = {0x20, 0x01, 0x0D, (byte) 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final byte[] FROM_IPV6 = {0x20, 0x01, 0x0D, (byte) 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int PORT = 53;
    /** The kinds of 16 records in turn: mostly the common packet, as traffic is. */
    private static final int[] TURNS = {UDP4, TCP4, UDP4, TCP4, UDP4, UDP6, UDP4, TCP4, VLAN4, UDP4, TCP4, UDP6, UDP4,
            ARP, TCP4, OPTIONS4};

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment[] frames = new MemorySegment[LENGTH.length]; // one of each kind
    private final Layout[] layouts = new Layout[LENGTH.length]; // where writeFrame put each one's flow
    private final ByteRingProducer producer;
    private final ByteRingConsumer consumer;
    private final RecordEncoder encoder;
    private final RecordFraming framing;
    private final int linkTypeField;
    private final boolean tableFromFirstRecord;
    private final long firstNanos = System.currentTimeMillis() * 1_000_000L;
    private LiveIndexer indexer;
    private long fileStart;  // ring position of the throwaway file's first record
    private int fileRecords; // records of the throwaway file
    private long count;

    /** For records of {@code encoder} (the run's {@code --format}) of link type {@code linkTypeField}. */
    public IndexWarmUp(int linkTypeField, RecordEncoder encoder, boolean tableFromFirstRecord) {
        ByteRing ring = ByteRing.allocate(RING, arena);
        this.producer = ring.producer();
        this.consumer = ring.consumer();
        this.encoder = encoder;
        this.framing = encoder.framing();
        this.linkTypeField = linkTypeField;
        this.tableFromFirstRecord = tableFromFirstRecord;
        for (int kind = 0; kind < LENGTH.length; kind++) {
            frames[kind] = arena.allocate(SLOT, 8);
            layouts[kind] = writeFrame(frames[kind], kind);
        }
    }

    /** Encodes and indexes the next {@link #BATCH} records, until {@link #MAX_RECORDS} are. */
    public void indexBatch() {
        if (count >= MAX_RECORDS) {
            return;
        }
        long head = consumer.head();
        for (int i = 0; i < BATCH; i++, count++) {
            int kind = TURNS[(int) (count & 15)];
            MemorySegment frame = frames[kind];
            setFlow(frame, layouts[kind], (int) (count >>> 3) % FLOWS);
            long nanos = firstNanos + count * 1000 - ((count & 1023) == 1023 ? 5000 : 0);
            encoder.append(producer, nanos, 0, 0, 0, frame, 0, LENGTH[kind], LENGTH[kind]);
        }
        producer.publish();
        long tail = head + consumer.refresh();
        for (long at = head; at < tail; ) {
            if (indexer == null || fileRecords == FILE_RECORDS) {
                indexer = LiveIndexer.withoutThread(linkTypeField, framing, tableFromFirstRecord);
                indexer.fileStarted(PART, PART, 24);
                fileStart = at;
                fileRecords = 0;
            }
            fileRecords++;
            long length = framing.signedRecordLength(consumer, at);
            if (length > 0) {
                indexer.packet(consumer, at, at - fileStart);
            }
            at += Math.abs(length);
        }
        consumer.release(tail - head);
    }

    /** Records encoded and indexed so far. */
    public long recordsIndexed() {
        return count;
    }

    @Override
    public void close() {
        arena.close();
    }

    /**
     * Where {@link #writeFrame} put a frame's flow, at the writers' positions: the source address's
     * last 4 bytes, the source port ({@link #NO_PORTS}: none).
     */
    record Layout(int sourceAt, int sourcePortAt) {}

    /** The frame of {@code layout} from the {@code flow}th source: its address's last 4 bytes 10.0.0.0 + flow, its port 1024 + flow. */
    static void setFlow(MemorySegment f, Layout layout, int flow) {
        f.set(INT_BE, layout.sourceAt(), 0x0A000000 | flow);
        if (layout.sourcePortAt() != NO_PORTS) {
            f.set(SHORT_BE, layout.sourcePortAt(), (short) (1024 + flow));
        }
    }

    /**
     * A frame of {@code kind} ({@link #LENGTH} bytes, in {@code f}, zeroed), written by the
     * descriptors' {@link HeaderWriter}: from 02:00:00:00:00:02 to 02:00:00:00:00:01, from 10.0.0.0
     * (2001:db8::) to 10.1.0.1 (2001:db8::1), port 53 to port 53 ({@link #setFlow} sets the source's).
     * The TCP frames have only their ports (all the summary reads of TCP; there is no TCP writer).
     */
    static Layout writeFrame(MemorySegment f, int kind) {
        ByteBuffer b = f.asByteBuffer(); // big-endian
        int length = LENGTH[kind];
        switch (kind) {
            case UDP4, TCP4, OPTIONS4, VLAN4 -> {
                boolean udp = kind == UDP4 || kind == VLAN4;
                int[] tags = kind == VLAN4 ? new int[] {100} : new int[0];
                int ip = HeaderWriter.ethernet(b, TO_MAC, FROM_MAC, EthernetHeader.TYPE_IPV4, tags).position();
                int transport = HeaderWriter.ipv4(b, 0, 0, 0, 64, udp ? Ipv4Header.PROTOCOL_UDP : Ipv4Header.PROTOCOL_TCP,
                        FROM_IPV4, TO_IPV4, kind == OPTIONS4 ? OPTION_WORDS : 0, length - ip).position();
                if (udp) {
                    HeaderWriter.udp(b, PORT, PORT, length - transport);
                } else {
                    HeaderWriter.ports(b, PORT, PORT);
                }
                return new Layout(ip + Ipv4Header.SOURCE_OFFSET, transport + UdpHeader.SOURCE_PORT_OFFSET);
            }
            case UDP6 -> {
                int ip = HeaderWriter.ethernet(b, TO_MAC, FROM_MAC, EthernetHeader.TYPE_IPV6).position();
                int transport = HeaderWriter.ipv6(b, Ipv4Header.PROTOCOL_UDP, FROM_IPV6, TO_IPV6,
                        length - ip - Ipv6Header.LENGTH).position();
                HeaderWriter.udp(b, PORT, PORT, length - transport);
                return new Layout(ip + IPV6_SOURCE_LAST4, transport + UdpHeader.SOURCE_PORT_OFFSET);
            }
            case ARP -> {
                int at = HeaderWriter.ethernet(b, TO_MAC, FROM_MAC, EthernetHeader.TYPE_ARP).position();
                b.putShort(at + ArpHeader.HARDWARE_TYPE_OFFSET, (short) ArpHeader.HARDWARE_ETHERNET)
                        .putShort(at + ArpHeader.PROTOCOL_TYPE_OFFSET, (short) EthernetHeader.TYPE_IPV4)
                        .put(at + ArpHeader.HARDWARE_LENGTH_OFFSET, (byte) EthernetHeader.MAC_LENGTH)
                        .put(at + ArpHeader.PROTOCOL_LENGTH_OFFSET, (byte) Ipv4Header.ADDRESS_LENGTH)
                        .putShort(at + ArpHeader.OPERATION_OFFSET, (short) ArpHeader.OPERATION_REQUEST)
                        .put(at + ArpHeader.SENDER_MAC_OFFSET, FROM_MAC)
                        .put(at + ArpHeader.SENDER_IPV4_OFFSET, FROM_IPV4).put(at + ArpHeader.TARGET_IPV4_OFFSET, TO_IPV4);
                return new Layout(at + ArpHeader.SENDER_IPV4_OFFSET, NO_PORTS);
            }
            default -> throw new IllegalArgumentException("kind " + kind);
        }
    }
}
