package gulp.decap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Hand-built encapsulated frames for hostile-input tests, fuzzing and benchmarks (big-endian, no checksums). */
public final class TestPackets {
    private TestPackets() {}

    /** A mirrored TCP SYN in Ethernet: 14 + 20 + 20 + {@code payload} bytes. */
    public static byte[] innerFrame(int payload) {
        byte[] tcp = new byte[20 + payload];
        tcp[0] = (byte) 0x9c; tcp[1] = 0x40; tcp[3] = 80; tcp[12] = 0x50; tcp[13] = 0x02;
        for (int i = 20; i < tcp.length; i++) tcp[i] = (byte) i;
        return ethernet(0x0800, ipv4(6, tcp, 0));
    }

    public static byte[] ethernet(int etherType, byte[] payload, int... vlanTags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x02, 0, 0, 0, 0, (byte) 0xc0, 0x02, 0, 0, 0, 0, 0x5e});
        for (int i = 0; i < vlanTags.length; i++) {
            u16(out, i == 0 && vlanTags.length > 1 ? 0x88A8 : 0x8100);
            u16(out, vlanTags[i]);
        }
        u16(out, etherType);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** IPv4 with {@code optionWords} 4-byte NOP option words. */
    public static byte[] ipv4(int protocol, byte[] payload, int optionWords) {
        int header = 20 + 4 * optionWords;
        ByteBuffer b = ByteBuffer.allocate(header + payload.length);
        b.put((byte) (0x40 | (header / 4))).put((byte) 0).putShort((short) (header + payload.length));
        b.putShort((short) 0x1234).putShort((short) 0).put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(new byte[] {(byte) 192, 0, 2, 1, (byte) 192, 0, 2, 2});
        for (int i = 0; i < optionWords * 4; i++) b.put((byte) 1);
        b.put(payload);
        return b.array();
    }

    /** IPv4 fragments of {@code protocol}/{@code payload} with {@code size}-byte pieces (multiple of 8). */
    public static byte[][] ipv4Fragments(int protocol, byte[] payload, int size, int id) {
        int count = (payload.length + size - 1) / size;
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            int from = i * size;
            int length = Math.min(size, payload.length - from);
            byte[] piece = new byte[length];
            System.arraycopy(payload, from, piece, 0, length);
            byte[] ip = ipv4(protocol, piece, 0);
            ip[4] = (byte) (id >>> 8); ip[5] = (byte) id;
            int flags = (from / 8) | (i < count - 1 ? 0x2000 : 0);
            ip[6] = (byte) (flags >>> 8); ip[7] = (byte) flags;
            out[i] = ethernet(0x0800, ip);
        }
        return out;
    }

    /** IPv6 with a hop-by-hop and a destination-options header (8 bytes each) before {@code nextHeader}. */
    public static byte[] ipv6(int nextHeader, byte[] payload, boolean extensionHeaders) {
        int extensions = extensionHeaders ? 16 : 0;
        ByteBuffer b = ByteBuffer.allocate(40 + extensions + payload.length);
        b.putInt(0x6000_0000).putShort((short) (extensions + payload.length)).put((byte) (extensionHeaders ? 0 : nextHeader)).put((byte) 64);
        for (int i = 0; i < 32; i++) b.put((byte) (i < 16 ? 0x20 + (i == 15 ? 1 : 0) : 0x20 + (i == 31 ? 2 : 0)));
        if (extensionHeaders) {
            b.put((byte) 60).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0});
            b.put((byte) nextHeader).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0});
        }
        b.put(payload);
        return b.array();
    }

    public static byte[] udp(int destinationPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) 54321).putShort((short) destinationPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        return b.put(payload).array();
    }

    /** GRE with the given flag bits (C 0x8000, K 0x2000, S 0x1000) and fields. */
    public static byte[] gre(int flags, int protocol, int key, int sequence, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(GreHeader.length(flags) + payload.length);
        b.putShort((short) flags).putShort((short) protocol);
        if ((flags & 0x8000) != 0) b.putInt(0);
        if ((flags & 0x2000) != 0) b.putInt(key);
        if ((flags & 0x1000) != 0) b.putInt(sequence);
        return b.put(payload).array();
    }

    public static byte[] erspanII(int session, int sequence, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(8 + frame.length);
        b.putInt((1 << 28) | (5 << 16) | session).putInt(77).put(frame);
        return gre(0x1000, 0x88BE, 0, sequence, b.array());
    }

    /** ERSPAN III; {@code word2} carries P/FT/HwID/D/Gra/O; {@code subHeader} (8 bytes) if O is set. */
    public static byte[] erspanIII(int session, int sequence, int timestamp, int word2, byte[] subHeader, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(12 + (subHeader == null ? 0 : subHeader.length) + frame.length);
        b.putInt((2 << 28) | session).putInt(timestamp).putInt(word2);
        if (subHeader != null) b.put(subHeader);
        b.put(frame);
        return gre(0x1000, 0x22EB, 0, sequence, b.array());
    }

    public static byte[] vxlan(int vni, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(8 + frame.length);
        b.putInt(0x0800_0000).putInt(vni << 8).put(frame);
        return udp(4789, b.array());
    }

    public static byte[] geneve(int vni, int protocol, int optionWords, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * optionWords + frame.length);
        b.put((byte) optionWords).put((byte) 0).putShort((short) protocol).putInt(vni << 8);
        if (optionWords > 0) {
            b.putShort((short) 0x0102).put((byte) 1).put((byte) (optionWords - 1));
            for (int i = 1; i < optionWords; i++) b.putInt(0x11223344);
        }
        return udp(6081, b.put(frame).array());
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }
}
