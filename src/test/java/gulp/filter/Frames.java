package gulp.filter;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/** Builds varied Ethernet frames for tests: IPv4 (with options, fragments), IPv6, ARP, VLAN, TCP/UDP/ICMP/GRE. */
final class Frames {
    private Frames() {}

    private static final int[] PORTS = {80, 53, 4789, 6081, 443, 1500, 8472, 22};
    private static final byte[][] V4_ADDRESSES = {
            {10, 0, 0, 1}, {10, 1, 2, 3}, {(byte) 192, (byte) 168, 56, 11}, {(byte) 192, (byte) 168, 56, 12},
            {(byte) 172, 16, 0, 9}, {8, 8, 8, 8}};

    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Bytes u8(int v) { out.write(v); return this; }
        Bytes u16(int v) { return u8(v >>> 8).u8(v); }
        Bytes u32(int v) { return u16(v >>> 16).u16(v); }
        Bytes bytes(byte[] b) { out.write(b, 0, b.length); return this; }
        Bytes random(Random r, int n) { byte[] b = new byte[n]; r.nextBytes(b); return bytes(b); }
        int size() { return out.size(); }
        byte[] toArray() { return out.toByteArray(); }
    }

    /** A random Ethernet frame (no truncation). */
    static byte[] randomFrame(Random r) {
        Bytes b = new Bytes();
        byte[] dst = new byte[6];
        r.nextBytes(dst);
        if (r.nextBoolean()) dst[0] &= (byte) 0xfe; // mostly unicast
        b.bytes(dst).random(r, 6);
        int kind = r.nextInt(100);
        if (kind < 10) {
            b.u16(r.nextBoolean() ? 0x8100 : 0x88a8).u16(r.nextInt(4096));
            if (r.nextInt(4) == 0) b.u16(0x8100).u16(r.nextInt(4096));
            kind = r.nextInt(80);
        }
        if (kind < 55) {
            b.u16(0x0800);
            b.bytes(ipv4Packet(r));
        } else if (kind < 72) {
            b.u16(0x86dd);
            b.bytes(ipv6Packet(r));
        } else if (kind < 80) {
            b.u16(0x0806).u16(1).u16(0x0800).u8(6).u8(4).u16(1 + r.nextInt(2))
                    .random(r, 6).bytes(pick(r, V4_ADDRESSES)).random(r, 6).bytes(pick(r, V4_ADDRESSES));
        } else {
            b.u16(r.nextInt(0x10000)).random(r, r.nextInt(80));
        }
        while (b.size() < 60 && r.nextInt(3) > 0) b.u8(0); // Ethernet padding, mostly
        return b.toArray();
    }

    static byte[] ipv4Packet(Random r) {
        int optionWords = r.nextInt(5) == 0 ? 1 + r.nextInt(3) : 0;
        int protocol = pickProtocol(r);
        byte[] payload = transport(r, protocol);
        int total = 20 + optionWords * 4 + payload.length;
        int fragment = switch (r.nextInt(10)) {
            case 0 -> 0x2000;                    // MF, first fragment
            case 1 -> r.nextInt(0x2000);         // later fragment
            case 2 -> 0x4000;                    // DF
            default -> 0;
        };
        Bytes b = new Bytes();
        b.u8(0x40 | (5 + optionWords)).u8(r.nextInt(256)).u16(total).u16(r.nextInt(0x10000)).u16(fragment)
                .u8(1 + r.nextInt(255)).u8(protocol).u16(0).bytes(pick(r, V4_ADDRESSES)).bytes(pick(r, V4_ADDRESSES));
        for (int i = 0; i < optionWords; i++) b.u32(0x01010101);
        return b.bytes(payload).toArray();
    }

    static byte[] ipv6Packet(Random r) {
        int protocol = pickProtocol(r);
        byte[] payload = transport(r, protocol == 1 ? 58 : protocol);
        Bytes b = new Bytes();
        b.u32(0x60000000 | r.nextInt(1 << 20)).u16(payload.length).u8(protocol == 1 ? 58 : protocol).u8(64)
                .u16(0xfe80).random(r, 14).u16(0x2001).random(r, 14).bytes(payload);
        return b.toArray();
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
        Bytes b = new Bytes();
        int payload = r.nextInt(8) == 0 ? 400 + r.nextInt(1000) : r.nextInt(200);
        switch (protocol) {
            case 6 -> b.u16(port(r)).u16(port(r)).u32(r.nextInt()).u32(r.nextInt())
                    .u8(0x50).u8(r.nextInt(64)).u16(r.nextInt(0x10000)).u16(0).u16(0).random(r, payload);
            case 17 -> b.u16(port(r)).u16(port(r)).u16(8 + payload).u16(0).random(r, payload);
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
}
