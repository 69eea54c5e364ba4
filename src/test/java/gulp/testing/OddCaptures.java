package gulp.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Capture files that exercise every odd header field and record libpcap reads (captured length
 * above the original length or the snap length, FCS bits in the link-type field, both byte
 * orders, nanosecond magic, old versions with swapped lengths, Kuznetzov records, BSD loopback
 * address families, pcapng with many interfaces, several sections and large blocks), and damaged
 * ones (cut short, absurd lengths, bad pcapng blocks). Built in memory by the tests, independent
 * of the product's reader; tcpdump is the oracle for what they hold.
 */
public final class OddCaptures {
    public static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    public static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int MAGIC_KUZNETZOV = 0xa1b2cd34;
    public static final int LINKTYPE_NULL = 0;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_NFLOG = 239;

    private OddCaptures() {
    }

    /** A generated capture: a file name (saying what is odd about it) and its bytes. */
    public record Named(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One record to write: the header fields as given (they may lie about the data). */
    public record Rec(long seconds, long fraction, int caplenField, int wirelenField, byte[] data) {
        static Rec of(int index, byte[] data) {
            return new Rec(1_700_000_000L + index, 1000L * index + 7, data.length, data.length, data);
        }
    }

    /** Every generated capture, well-formed and damaged. */
    public static List<Named> all() {
        List<Named> all = new ArrayList<>(wellFormed());
        all.addAll(damaged());
        return all;
    }

    public static List<Named> wellFormed() {
        List<Rec> mixed = mixedEthernet(12);
        List<Named> files = new ArrayList<>();
        files.add(new Named("plain.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET, mixed)));
        files.add(new Named("big-endian.pcap", pcap(BE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET, mixed)));
        files.add(new Named("nanoseconds.pcap", pcap(LE, MAGIC_NANOS, 2, 4, 262144, LINKTYPE_ETHERNET, nanos(mixed))));
        files.add(new Named("big-endian-nanoseconds.pcap", pcap(BE, MAGIC_NANOS, 2, 4, 262144, LINKTYPE_ETHERNET, nanos(mixed))));
        files.add(new Named("captured-above-original.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET,
                capturedAboveOriginal(mixed))));
        files.add(new Named("records-above-snaplen.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 64, LINKTYPE_ETHERNET, mixed)));
        for (int field : new int[] {0x30000001, 0x24000001, 0x04000001, 0xF4000001}) {
            files.add(new Named(String.format("linktype-field-0x%08x.pcap", field),
                    pcap(LE, MAGIC_MICROS, 2, 4, 262144, field, mixed)));
        }
        files.add(new Named("version-2.2-lengths-swapped.pcap", pcap(LE, MAGIC_MICROS, 2, 2, 262144, LINKTYPE_ETHERNET,
                swapLengths(truncated(mixed, 80), r -> true))));
        files.add(new Named("version-2.3-some-lengths-swapped.pcap", pcap(LE, MAGIC_MICROS, 2, 3, 262144, LINKTYPE_ETHERNET,
                swapLengths(truncated(mixed, 80), r -> r.data().length % 2 == 0))));
        files.add(new Named("kuznetzov.pcap", pcap(LE, MAGIC_KUZNETZOV, 2, 4, 262144, LINKTYPE_ETHERNET, mixed)));
        files.add(new Named("bsd-loopback.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_NULL, loopback(LE))));
        files.add(new Named("bsd-loopback-big-endian.pcap", pcap(BE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_NULL, loopback(BE))));
        files.add(new Named("nflog.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_NFLOG, nflog(LE))));
        files.add(new Named("nflog-big-endian.pcap", pcap(BE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_NFLOG, nflog(BE))));
        files.add(new Named("pcapng-nflog-big-endian.pcapng", pcapng(BE, LINKTYPE_NFLOG, nflog(BE))));
        files.add(new Named("raw-ip.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_RAW, rawIp())));
        files.add(new Named("pcapng-many-interfaces.pcapng", pcapngManyInterfaces(LE, 1000)));
        files.add(new Named("pcapng-big-endian.pcapng", pcapngManyInterfaces(BE, 3)));
        files.add(new Named("pcapng-two-sections.pcapng", concat(pcapngManyInterfaces(LE, 2), pcapngManyInterfaces(BE, 2))));
        files.add(new Named("pcapng-large-blocks.pcapng", pcapngLargeBlocks()));
        files.add(new Named("pcapng-captured-above-original.pcapng", pcapng(LE, capturedAboveOriginal(mixed))));
        return files;
    }

    public static List<Named> damaged() {
        List<Rec> mixed = mixedEthernet(12);
        byte[] plain = pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET, mixed);
        List<Named> files = new ArrayList<>();
        files.add(new Named("cut-in-a-record.pcap", Arrays.copyOf(plain, plain.length - 30)));
        files.add(new Named("cut-in-a-record-header.pcap", Arrays.copyOf(plain, plain.length - mixed.getLast().data().length - 6)));
        files.add(new Named("cut-in-the-file-header.pcap", Arrays.copyOf(plain, 20)));
        List<Rec> absurd = new ArrayList<>(mixed);
        Rec third = absurd.get(3);
        absurd.set(3, new Rec(third.seconds(), third.fraction(), 0x7fff0000, 0x7fff0000, third.data()));
        files.add(new Named("absurd-captured-length.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET, absurd)));
        List<Rec> jumbo = new ArrayList<>(mixed.subList(0, 3));
        jumbo.add(Rec.of(3, ethernet(3, 300_000, 9000)));
        jumbo.addAll(mixed.subList(4, 8));
        files.add(new Named("record-above-262144.pcap", pcap(LE, MAGIC_MICROS, 2, 4, 262144, LINKTYPE_ETHERNET, jumbo)));
        byte[] ng = pcapng(LE, mixed);
        files.add(new Named("pcapng-cut-in-a-block.pcapng", Arrays.copyOf(ng, ng.length - 10)));
        byte[] badLength = ng.clone();
        int third3 = blockOffset(badLength, 5); // SHB, IDB, three EPBs
        ByteBuffer.wrap(badLength).order(LE).putInt(third3 + 4, 13);
        files.add(new Named("pcapng-bad-block-length.pcapng", badLength));
        byte[] mismatched = ng.clone();
        int fourth = blockOffset(mismatched, 6);
        ByteBuffer m = ByteBuffer.wrap(mismatched).order(LE);
        m.putInt(fourth + m.getInt(fourth + 4) - 4, 1 << 20);
        files.add(new Named("pcapng-mismatched-trailer.pcapng", mismatched));
        return files;
    }

    // ---------------------------------------------------------------- records

    /** Ethernet frames, IPv4 UDP (some to port 53), some 802.1Q tagged, 60 to 1514 bytes. */
    public static List<Rec> mixedEthernet(int count) {
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] frame = ethernet(i, Frames.mixedLength(i * 13 + 5), i % 3 == 0 ? 53 : 9000 + i);
            records.add(Rec.of(i, i % 4 == 1 ? Frames.withVlanTag(frame, 100 + i) : frame));
        }
        return records;
    }

    static byte[] ethernet(int sequence, int length, int port) {
        return Frames.numbered(sequence, length, port);
    }

    private static List<Rec> nanos(List<Rec> records) {
        return records.stream().map(r -> new Rec(r.seconds(), r.fraction() * 1000 + 123, r.caplenField(), r.wirelenField(), r.data())).toList();
    }

    /** Every other record claims an original length two bytes below what was captured. */
    private static List<Rec> capturedAboveOriginal(List<Rec> records) {
        List<Rec> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Rec r = records.get(i);
            out.add(i % 2 == 1 ? new Rec(r.seconds(), r.fraction(), r.caplenField(), r.wirelenField() - 2, r.data()) : r);
        }
        return out;
    }

    /** Records cut to {@code snap} bytes (original lengths kept). */
    private static List<Rec> truncated(List<Rec> records, int snap) {
        return records.stream().map(r -> {
            byte[] d = Arrays.copyOf(r.data(), Math.min(snap, r.data().length));
            return new Rec(r.seconds(), r.fraction(), d.length, r.wirelenField(), d);
        }).toList();
    }

    private static List<Rec> swapLengths(List<Rec> records, java.util.function.Predicate<Rec> which) {
        return records.stream().map(r -> which.test(r) ? new Rec(r.seconds(), r.fraction(), r.wirelenField(), r.caplenField(), r.data()) : r).toList();
    }

    /**
     * BSD loopback (DLT_NULL) records: the address family in the writer's byte order, then an IP
     * packet: IPv4 (AF 2) and IPv6 as NetBSD/OpenBSD (24), FreeBSD (28) and macOS (30) number it.
     */
    private static List<Rec> loopback(ByteOrder order) {
        List<Rec> records = new ArrayList<>();
        int[] families = {2, 24, 28, 30, 2, 24};
        for (int i = 0; i < families.length; i++) {
            byte[] ip = families[i] == 2 ? ipv4(i, 80, i % 2 == 0 ? 53 : 4000) : ipv6(i, 90, i % 2 == 0 ? 53 : 4000);
            byte[] frame = ByteBuffer.allocate(4 + ip.length).order(order).putInt(families[i]).put(ip).array();
            records.add(Rec.of(i, frame));
        }
        return records;
    }

    /**
     * NFLOG frames: the 4-byte header, a prefix TLV (type 10), a payload TLV (type 9, an IPv4
     * packet) and, in the last frame, a TLV cut by the captured length; TLV lengths and types in
     * the writer's byte order.
     */
    private static List<Rec> nflog(ByteOrder order) {
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] ip = ipv4(i, 60 + 17 * i, i % 2 == 0 ? 53 : 6000);
            byte[] prefix = "gulp".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(4 + 4 + pad(prefix.length) + 4 + pad(ip.length)).order(order);
            b.put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 7);
            b.putShort((short) (4 + prefix.length)).putShort((short) 10).put(prefix);
            b.position(8 + pad(prefix.length));
            b.putShort((short) (4 + ip.length)).putShort((short) 9).put(ip);
            byte[] frame = b.array();
            records.add(i < 4 ? Rec.of(i, frame) : new Rec(1_700_000_000L + i, 7, 30, frame.length, Arrays.copyOf(frame, 30)));
        }
        return records;
    }

    private static List<Rec> rawIp() {
        List<Rec> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(Rec.of(i, i % 2 == 0 ? ipv4(i, 60 + i * 10, i % 3 == 0 ? 53 : 5000) : ipv6(i, 70 + i * 10, i % 3 == 0 ? 53 : 5000)));
        }
        return records;
    }

    /** The IPv4 UDP packet of a test frame (the frame without its Ethernet header). */
    static byte[] ipv4(int sequence, int length, int port) {
        byte[] frame = ethernet(sequence, length + 14, port);
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    /** An IPv6 UDP packet of {@code length} bytes (2001:db8::1 to 2001:db8::2). */
    static byte[] ipv6(int sequence, int length, int port) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(0x60000000).putShort((short) (length - 40)).put((byte) 17).put((byte) 64);
        b.putLong(0x20010db800000000L).putLong(1).putLong(0x20010db800000000L).putLong(2);
        b.putShort((short) 40000).putShort((short) port).putShort((short) (length - 40)).putShort((short) 0);
        while (b.hasRemaining()) {
            b.put((byte) (sequence + b.position()));
        }
        return b.array();
    }

    // ---------------------------------------------------------------- classic pcap

    public static byte[] pcap(ByteOrder order, int magic, int major, int minor, int snaplen, int linkTypeField, List<Rec> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(order).putInt(magic).putShort((short) major).putShort((short) minor)
                .putInt(0).putInt(0).putInt(snaplen).putInt(linkTypeField).array());
        boolean kuznetzov = magic == MAGIC_KUZNETZOV;
        for (Rec r : records) {
            ByteBuffer h = ByteBuffer.allocate(kuznetzov ? 24 : 16).order(order)
                    .putInt((int) r.seconds()).putInt((int) r.fraction()).putInt(r.caplenField()).putInt(r.wirelenField());
            if (kuznetzov) {
                h.putInt(2).putShort((short) 0x0800).put((byte) 0).put((byte) 0);
            }
            out.writeBytes(h.array());
            out.writeBytes(r.data());
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- pcapng

    /** One section, one Ethernet interface (microseconds), the records as enhanced packet blocks. */
    public static byte[] pcapng(ByteOrder order, List<Rec> records) {
        return pcapng(order, LINKTYPE_ETHERNET, records);
    }

    /** One section, one interface of {@code linkType} (microseconds), the records as enhanced packet blocks. */
    public static byte[] pcapng(ByteOrder order, int linkType, List<Rec> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(shb(order));
        out.writeBytes(idb(order, linkType, 262144, new byte[0]));
        for (Rec r : records) {
            out.writeBytes(epb(order, 0, (r.seconds() * 1_000_000 + r.fraction()), r.caplenField(), r.wirelenField(), r.data(), new byte[0]));
        }
        return out.toByteArray();
    }

    /**
     * {@code interfaces} Ethernet interfaces with varied time resolutions (micro, nano, 2^-20) and
     * offsets, and packets on the first, the last and some in between.
     */
    static byte[] pcapngManyInterfaces(ByteOrder order, int interfaces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(shb(order));
        int[] resolutions = {6, 9, 0x80 | 20};
        for (int i = 0; i < interfaces; i++) {
            ByteArrayOutputStream options = new ByteArrayOutputStream();
            options.writeBytes(option(order, 9, new byte[] {(byte) resolutions[i % 3]}));
            if (i % 5 == 4) {
                options.writeBytes(option(order, 14, ByteBuffer.allocate(8).order(order).putLong(3600L * i).array()));
            }
            options.writeBytes(option(order, 2, ("if" + i).getBytes(StandardCharsets.US_ASCII)));
            out.writeBytes(idb(order, LINKTYPE_ETHERNET, 262144, options.toByteArray()));
        }
        List<Rec> mixed = mixedEthernet(10);
        for (int p = 0; p < mixed.size(); p++) {
            int id = p == 0 ? 0 : p == 1 ? interfaces - 1 : (p * 7919) % interfaces;
            Rec r = mixed.get(p);
            long units = switch (resolutions[id % 3]) {
                case 6 -> r.seconds() * 1_000_000 + r.fraction();
                case 9 -> r.seconds() * 1_000_000_000 + r.fraction() * 1000;
                default -> (r.seconds() << 20) + (r.fraction() << 20) / 1_000_000;
            };
            out.writeBytes(epb(order, id, units, r.data().length, r.data().length, r.data(), new byte[0]));
        }
        return out.toByteArray();
    }

    /** An interface block with a 2 MiB comment, a packet block with a 5 MiB option, a simple packet block. */
    static byte[] pcapngLargeBlocks() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(shb(LE));
        out.writeBytes(idb(LE, LINKTYPE_ETHERNET, 262144, option(LE, 1, bigComment(2 << 20))));
        List<Rec> mixed = mixedEthernet(4);
        Rec a = mixed.get(0);
        out.writeBytes(epb(LE, 0, a.seconds() * 1_000_000 + a.fraction(), a.data().length, a.data().length, a.data(), new byte[0]));
        Rec b = mixed.get(1);
        // One option carries at most 65535 bytes; 80 of them make a block of about 5 MiB.
        ByteArrayOutputStream options = new ByteArrayOutputStream();
        for (int i = 0; i < 80; i++) {
            options.writeBytes(option(LE, 1, bigComment(65532)));
        }
        out.writeBytes(epb(LE, 0, b.seconds() * 1_000_000 + b.fraction(), b.data().length, b.data().length, b.data(), options.toByteArray()));
        Rec c = mixed.get(2);
        out.writeBytes(block(LE, 3, ByteBuffer.allocate(4 + pad(c.data().length)).order(LE)
                .putInt(c.data().length).put(c.data()).array())); // a simple packet block
        return out.toByteArray();
    }

    private static byte[] bigComment(int length) {
        byte[] text = new byte[length];
        Arrays.fill(text, (byte) 'x');
        return text;
    }

    public static byte[] shb(ByteOrder order) {
        return block(order, 0x0A0D0D0A, ByteBuffer.allocate(16).order(order)
                .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array());
    }

    public static byte[] idb(ByteOrder order, int linkType, int snaplen, byte[] options) {
        ByteBuffer body = ByteBuffer.allocate(8 + options.length + (options.length > 0 ? 4 : 0)).order(order)
                .putShort((short) linkType).putShort((short) 0).putInt(snaplen).put(options);
        return block(order, 1, body.array()); // options end with opt_endofopt (zeros)
    }

    public static byte[] epb(ByteOrder order, int interfaceId, long units, int caplen, int wirelen, byte[] data, byte[] options) {
        ByteBuffer body = ByteBuffer.allocate(20 + pad(data.length) + options.length + (options.length > 0 ? 4 : 0)).order(order)
                .putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units).putInt(caplen).putInt(wirelen).put(data);
        body.position(20 + pad(data.length));
        body.put(options);
        return block(order, 6, body.array());
    }

    public static byte[] option(ByteOrder order, int code, byte[] value) {
        return ByteBuffer.allocate(4 + pad(value.length)).order(order).putShort((short) code).putShort((short) value.length)
                .put(value).array();
    }

    public static byte[] block(ByteOrder order, int type, byte[] body) {
        int length = 12 + pad(body.length);
        return ByteBuffer.allocate(length).order(order).putInt(type).putInt(length).put(body)
                .putInt(length - 4, length).array();
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    /** The byte offset of block {@code index} (0 = the section header) of a little-endian pcapng file. */
    static int blockOffset(byte[] pcapng, int index) {
        ByteBuffer b = ByteBuffer.wrap(pcapng).order(LE);
        int at = 0;
        for (int i = 0; i < index; i++) {
            at += b.getInt(at + 4);
        }
        return at;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
