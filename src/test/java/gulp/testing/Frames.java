package gulp.testing;

import gulp.decap.ErspanHeader;
import gulp.decap.EthernetHeader;
import gulp.decap.GeneveHeader;
import gulp.decap.GreHeader;
import gulp.decap.HeaderWriter;
import gulp.decap.Ipv4Header;
import gulp.decap.UdpHeader;
import gulp.decap.VxlanHeader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The tests' one frame builder (big-endian, no transport checksums). Layers, each wrapping a
 * payload: {@link #ethernet}, {@link #ipv4}, {@link #ipv6}, {@link #udp}, {@link #gre}, ERSPAN,
 * VXLAN, Geneve; their headers but IPv6's are written by main's {@link HeaderWriter}, which also
 * builds the live warm-up's frames. On top of them:
 * <ul>
 *   <li>numbered frames that identify themselves ({@link #numbered}, {@link #sequenceOf}): Ethernet
 *   + IPv4 + UDP between the two test bed MACs, whose payload starts with a magic, a sequence number
 *   and a CRC32 of everything after it; the length and bytes of frame N follow from N alone, so a
 *   captured frame can be checked exactly;</li>
 *   <li>random frames for filter fuzzing ({@link #randomFrame}): IPv4 (with options, fragments),
 *   IPv6, ARP, VLAN, TCP/UDP/ICMP/GRE;</li>
 *   <li>hand-built encapsulated frames for decapsulation tests and benchmarks.</li>
 * </ul>
 */
public final class Frames {
    public static final int MAGIC = 0x47554c50; // "GULP"
    public static final int MIN_LENGTH = EthernetHeader.MIN_FRAME_LENGTH;
    public static final int MAX_LENGTH = 1514;
    private static final int PAYLOAD_OFFSET = 42;
    private static final byte[] SOURCE_MAC = {2, 0x50, 0, 0, 0, 1};
    private static final byte[] DESTINATION_MAC = {2, 0x50, 0, 0, 0, 2};
    private static final byte[] LAYERS_DESTINATION_MAC = {0x02, 0, 0, 0, 0, (byte) 0xc0};
    private static final byte[] LAYERS_SOURCE_MAC = {0x02, 0, 0, 0, 0, 0x5e};
    private static final byte[] LAYERS_SOURCE_IP = {(byte) 192, 0, 2, 1};
    private static final byte[] LAYERS_DESTINATION_IP = {(byte) 192, 0, 2, 2};

    private static final int[] PORTS = {80, 53, 4789, 6081, 443, 1500, 8472, 22};
    private static final byte[][] V4_ADDRESSES = {
            {10, 0, 0, 1}, {10, 1, 2, 3}, {(byte) 192, (byte) 168, 56, 11}, {(byte) 192, (byte) 168, 56, 12},
            {(byte) 172, 16, 0, 9}, {8, 8, 8, 8}};

    private Frames() {
    }

    /** A byte sink for building headers field by field. */
    public static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        public Bytes u8(int v) { out.write(v); return this; }
        public Bytes u16(int v) { return u8(v >>> 8).u8(v); }
        public Bytes u32(int v) { return u16(v >>> 16).u16(v); }
        public Bytes bytes(byte[] b) { out.write(b, 0, b.length); return this; }
        public Bytes random(Random r, int n) { return bytes(randomBytes(r, n)); }
        public int size() { return out.size(); }
        public byte[] toArray() { return out.toByteArray(); }
    }

    // ---- layers ----

    /** Ethernet from {@code source} to {@code destination}; one tag is 802.1Q, two are 802.1ad + 802.1Q. */
    public static byte[] ethernet(byte[] destination, byte[] source, int etherType, byte[] payload, int... vlanTags) {
        ByteBuffer b = ByteBuffer.allocate(EthernetHeader.LENGTH + EthernetHeader.VLAN_TAG_LENGTH * vlanTags.length + payload.length);
        return HeaderWriter.ethernet(b, destination, source, etherType, vlanTags).put(payload).array();
    }

    /** Ethernet between two fixed addresses. */
    public static byte[] ethernet(int etherType, byte[] payload, int... vlanTags) {
        return ethernet(LAYERS_DESTINATION_MAC, LAYERS_SOURCE_MAC, etherType, payload, vlanTags);
    }

    /** IPv4 with every field given; {@code optionWords} 4-byte NOP option words; header checksum 0. */
    public static byte[] ipv4(int tos, int id, int fragment, int ttl, int protocol, byte[] source, byte[] destination,
                              int optionWords, byte[] payload) {
        int length = Ipv4Header.MIN_LENGTH + Ipv4Header.WORD_LENGTH * optionWords + payload.length;
        ByteBuffer b = ByteBuffer.allocate(length);
        return HeaderWriter.ipv4(b, tos, id, fragment, ttl, protocol, source, destination, optionWords, length).put(payload).array();
    }

    /** IPv4 between two fixed addresses, id 0x1234, with {@code optionWords} 4-byte NOP option words. */
    public static byte[] ipv4(int protocol, byte[] payload, int optionWords) {
        return ipv4(0, 0x1234, 0, 64, protocol, LAYERS_SOURCE_IP, LAYERS_DESTINATION_IP, optionWords, payload);
    }

    /** Fills in the header checksum of the IPv4 header (without options) at {@code offset}. */
    private static void ipv4Checksum(byte[] frame, int offset) {
        int checksum = 0;
        for (int i = offset; i < offset + Ipv4Header.MIN_LENGTH; i += 2) {
            checksum += ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
        }
        checksum = (checksum & 0xffff) + (checksum >>> 16);
        checksum = (checksum & 0xffff) + (checksum >>> 16);
        ByteBuffer.wrap(frame).putShort(offset + Ipv4Header.CHECKSUM_OFFSET, (short) ~checksum);
    }

    /** IPv4 fragments of {@code protocol}/{@code payload} with {@code size}-byte pieces (multiple of 8). */
    public static byte[][] ipv4Fragments(int protocol, byte[] payload, int size, int id) {
        int count = (payload.length + size - 1) / size;
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            int from = i * size;
            byte[] piece = new byte[Math.min(size, payload.length - from)];
            System.arraycopy(payload, from, piece, 0, piece.length);
            int fragment = (from / 8) | (i < count - 1 ? 0x2000 : 0);
            out[i] = ethernet(0x0800, ipv4(0, id, fragment, 64, protocol, LAYERS_SOURCE_IP, LAYERS_DESTINATION_IP, 0, piece));
        }
        return out;
    }

    /** IPv6 with every field given (addresses of 16 bytes). */
    public static byte[] ipv6(int flowLabel, int nextHeader, byte[] source, byte[] destination, byte[] payload) {
        return new Bytes().u32(0x60000000 | flowLabel).u16(payload.length).u8(nextHeader).u8(64)
                .bytes(source).bytes(destination).bytes(payload).toArray();
    }

    /** IPv6 between two fixed addresses, with a hop-by-hop and a destination-options header (8 bytes each) if asked. */
    public static byte[] ipv6(int nextHeader, byte[] payload, boolean extensionHeaders) {
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        for (int i = 0; i < 16; i++) {
            source[i] = (byte) (0x20 + (i == 15 ? 1 : 0));
            destination[i] = (byte) (0x20 + (i == 15 ? 2 : 0));
        }
        if (!extensionHeaders) {
            return ipv6(0, nextHeader, source, destination, payload);
        }
        byte[] options = new Bytes().u8(60).u8(0).bytes(new byte[] {1, 4, 0, 0, 0, 0})
                .u8(nextHeader).u8(0).bytes(new byte[] {1, 4, 0, 0, 0, 0}).bytes(payload).toArray();
        return ipv6(0, 0, source, destination, options);
    }

    public static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        int length = UdpHeader.LENGTH + payload.length;
        return HeaderWriter.udp(ByteBuffer.allocate(length), sourcePort, destinationPort, length).put(payload).array();
    }

    public static byte[] udp(int destinationPort, byte[] payload) {
        return udp(54321, destinationPort, payload);
    }

    /** GRE with the given flag bits (C 0x8000, K 0x2000, S 0x1000) and fields. */
    public static byte[] gre(int flags, int protocol, int key, int sequence, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(GreHeader.length(flags) + payload.length);
        return HeaderWriter.gre(b, flags, protocol, key, sequence).put(payload).array();
    }

    /** ERSPAN II (VLAN 5, index 77) in GRE with sequence number {@code sequence}. */
    public static byte[] erspanII(int session, int sequence, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(GreHeader.length(GreHeader.FLAG_SEQUENCE) + ErspanHeader.TYPE_II_LENGTH + frame.length);
        HeaderWriter.gre(b, GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_I_II, 0, sequence);
        return HeaderWriter.erspanII(b, 5, session, 77).put(frame).array();
    }

    /** ERSPAN III in GRE with sequence number {@code sequence}; {@code word2} carries P/FT/HwID/D/Gra/O; {@code subHeader} (8 bytes) if O is set. */
    public static byte[] erspanIII(int session, int sequence, int timestamp, int word2, byte[] subHeader, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(GreHeader.length(GreHeader.FLAG_SEQUENCE) + ErspanHeader.TYPE_III_LENGTH
                + (subHeader == null ? 0 : subHeader.length) + frame.length);
        HeaderWriter.gre(b, GreHeader.FLAG_SEQUENCE, GreHeader.PROTOCOL_ERSPAN_III, 0, sequence);
        HeaderWriter.erspanIII(b, session, timestamp, word2);
        if (subHeader != null) b.put(subHeader);
        return b.put(frame).array();
    }

    public static byte[] vxlan(int vni, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(VxlanHeader.LENGTH + frame.length);
        return udp(4789, HeaderWriter.vxlan(b, vni).put(frame).array());
    }

    public static byte[] geneve(int vni, int protocol, int optionWords, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(GeneveHeader.BASE_LENGTH + GeneveHeader.OPTION_LENGTH_UNIT * optionWords + frame.length);
        HeaderWriter.geneve(b, optionWords, protocol, vni);
        if (optionWords > 0) {
            b.putShort((short) 0x0102).put((byte) 1).put((byte) (optionWords - 1));
            for (int i = 1; i < optionWords; i++) b.putInt(0x11223344);
        }
        return udp(6081, b.put(frame).array());
    }

    /** A mirrored TCP SYN in Ethernet: 14 + 20 + 20 + {@code payload} bytes. */
    public static byte[] innerFrame(int payload) {
        byte[] tcp = new byte[20 + payload];
        tcp[0] = (byte) 0x9c; tcp[1] = 0x40; tcp[3] = 80; tcp[12] = 0x50; tcp[13] = 0x02;
        for (int i = 20; i < tcp.length; i++) tcp[i] = (byte) i;
        return ethernet(0x0800, ipv4(6, tcp, 0));
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The frame with an 802.1Q tag (TPID 0x8100, priority 0, {@code vlanId}) after the MAC addresses. */
    public static byte[] withVlanTag(byte[] frame, int vlanId) {
        byte[] tagged = new byte[frame.length + 4];
        System.arraycopy(frame, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0;
        tagged[14] = (byte) (vlanId >> 8 & 0x0f);
        tagged[15] = (byte) vlanId;
        System.arraycopy(frame, 12, tagged, 16, frame.length - 12);
        return tagged;
    }

    /** {@code length} bytes 0, 1, 2, ... (wrapping at 256): a frame whose every byte tells its offset. */
    public static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    // ---- numbered frames ----

    /** Mixed lengths 60..1514, spread over the whole range. */
    public static int mixedLength(int sequence) {
        return MIN_LENGTH + (int) ((sequence * 7919L) % (MAX_LENGTH - MIN_LENGTH + 1));
    }

    /** Numbered frame {@code sequence} of {@code length} bytes, UDP to {@code destinationPort}. */
    public static byte[] numbered(int sequence, int length, int destinationPort) {
        byte[] payload = new byte[length - PAYLOAD_OFFSET];
        ByteBuffer.wrap(payload).putInt(MAGIC).putInt(sequence);
        for (int i = 12; i < payload.length; i++) {
            payload[i] = (byte) (sequence + PAYLOAD_OFFSET + i);
        }
        CRC32 crc = new CRC32();
        crc.update(payload, 12, payload.length - 12);
        ByteBuffer.wrap(payload).putInt(8, (int) crc.getValue());
        byte[] frame = ethernet(DESTINATION_MAC, SOURCE_MAC, 0x0800, ipv4(0, sequence & 0xffff, 0, 64, 17,
                new byte[] {10, (byte) 250, 77, 1}, new byte[] {10, (byte) 250, 77, 2}, 0, udp(40000, destinationPort, payload)));
        ipv4Checksum(frame, EthernetHeader.LENGTH);
        return frame;
    }

    /** The sequence number of a numbered frame at {@code offset} of {@code data}, or -1 if it is not one. */
    public static int sequenceOf(byte[] data, int offset, int length) {
        if (length < PAYLOAD_OFFSET + 12) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        if (b.getShort(offset + 12) != 0x0800 || b.getInt(offset + PAYLOAD_OFFSET) != MAGIC) {
            return -1;
        }
        return b.getInt(offset + PAYLOAD_OFFSET + 4);
    }

    // ---- random frames ----

    /** A random Ethernet frame (no truncation). */
    public static byte[] randomFrame(Random r) {
        byte[] destination = randomBytes(r, 6);
        if (r.nextBoolean()) destination[0] &= (byte) 0xfe; // mostly unicast
        byte[] source = randomBytes(r, 6);
        Bytes b = new Bytes().bytes(destination).bytes(source);
        int kind = r.nextInt(100);
        if (kind < 10) {
            b.u16(r.nextBoolean() ? 0x8100 : 0x88a8).u16(r.nextInt(4096));
            if (r.nextInt(4) == 0) b.u16(0x8100).u16(r.nextInt(4096));
            kind = r.nextInt(80);
        }
        if (kind < 55) {
            b.u16(0x0800).bytes(ipv4Packet(r));
        } else if (kind < 72) {
            b.u16(0x86dd).bytes(ipv6Packet(r));
        } else if (kind < 80) {
            b.u16(0x0806).u16(1).u16(0x0800).u8(6).u8(4).u16(1 + r.nextInt(2))
                    .random(r, 6).bytes(pick(r, V4_ADDRESSES)).random(r, 6).bytes(pick(r, V4_ADDRESSES));
        } else {
            b.u16(r.nextInt(0x10000)).random(r, r.nextInt(80));
        }
        while (b.size() < 60 && r.nextInt(3) > 0) b.u8(0); // Ethernet padding, mostly
        return b.toArray();
    }

    public static byte[] ipv4Packet(Random r) {
        int optionWords = r.nextInt(5) == 0 ? 1 + r.nextInt(3) : 0;
        int protocol = pickProtocol(r);
        byte[] payload = transport(r, protocol);
        int fragment = switch (r.nextInt(10)) {
            case 0 -> 0x2000;                    // MF, first fragment
            case 1 -> r.nextInt(0x2000);         // later fragment
            case 2 -> 0x4000;                    // DF
            default -> 0;
        };
        int tos = r.nextInt(256);
        int id = r.nextInt(0x10000);
        int ttl = 1 + r.nextInt(255);
        byte[] source = pick(r, V4_ADDRESSES);
        byte[] destination = pick(r, V4_ADDRESSES);
        return ipv4(tos, id, fragment, ttl, protocol, source, destination, optionWords, payload);
    }

    public static byte[] ipv6Packet(Random r) {
        int protocol = pickProtocol(r);
        int nextHeader = protocol == 1 ? 58 : protocol;
        byte[] payload = transport(r, nextHeader);
        int flowLabel = r.nextInt(1 << 20);
        byte[] source = new Bytes().u16(0xfe80).random(r, 14).toArray();
        byte[] destination = new Bytes().u16(0x2001).random(r, 14).toArray();
        return ipv6(flowLabel, nextHeader, source, destination, payload);
    }

    private static int pickProtocol(Random r) {
        return switch (r.nextInt(10)) {
            case 0, 1, 2 -> 6;
            case 3, 4, 5 -> 17;
            case 6 -> 1;
            case 7 -> 47;
            default -> r.nextInt(256);
        };
    }

    private static byte[] transport(Random r, int protocol) {
        int payload = r.nextInt(8) == 0 ? 400 + r.nextInt(1000) : r.nextInt(200);
        if (protocol == 17) {
            int source = port(r);
            int destination = port(r);
            return udp(source, destination, randomBytes(r, payload));
        }
        Bytes b = new Bytes();
        switch (protocol) {
            case 6 -> b.u16(port(r)).u16(port(r)).u32(r.nextInt()).u32(r.nextInt())
                    .u8(0x50).u8(r.nextInt(64)).u16(r.nextInt(0x10000)).u16(0).u16(0).random(r, payload);
            case 1, 58 -> b.u8(r.nextInt(4) == 0 ? 8 : r.nextInt(256)).u8(0).u16(0).random(r, payload);
            case 47 -> b.u16(r.nextBoolean() ? 0 : 0x1000).u16(r.nextBoolean() ? 0x6558 : 0x88be).random(r, payload);
            default -> b.random(r, payload);
        }
        return b.toArray();
    }

    private static int port(Random r) {
        return r.nextInt(3) == 0 ? r.nextInt(0x10000) : PORTS[r.nextInt(PORTS.length)];
    }

    private static byte[] pick(Random r, byte[][] options) {
        return options[r.nextInt(options.length)];
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
