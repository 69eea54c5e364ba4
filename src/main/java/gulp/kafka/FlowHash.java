package gulp.kafka;

import gulp.decap.Ipv4Header;
import gulp.format.LinkType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A symmetric hash of a frame's 5-tuple (addresses, ports, protocol): both directions of a flow hash
 * alike, so a flow's packets go to one Kafka partition. Frames are the ones written (the inner frame
 * after {@code -d}). Ethernet (with up to two VLAN tags), Linux cooked v1/v2 and raw IP; IPv4 and
 * IPv6; ports for TCP, UDP and SCTP (first IPv4 fragment only). Anything else hashes on what it has
 * (non-IP frames: 0, so they share one partition).
 */
public final class FlowHash {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_LINUX_SLL2 = 276;
    private static final int LINKTYPE_IPV4 = 228;
    private static final int LINKTYPE_IPV6 = 229;

    private FlowHash() {
    }

    /** The hash of the {@code length} bytes of frame at {@code offset} of {@code frame}, of link type {@code linkType}. */
    public static int of(MemorySegment frame, long offset, int length, int linkType) {
        switch (linkType & LinkType.MASK) {
            case LinkType.ETHERNET -> {
                int at = 12;
                while (at + 2 <= length) {
                    int type = u16(frame, offset + at);
                    if (type == 0x8100 || type == 0x88A8) {
                        at += 4;
                        continue;
                    }
                    return ip(frame, offset + at + 2, length - at - 2, type);
                }
                return 0;
            }
            case LINKTYPE_LINUX_SLL -> {
                return length < 16 ? 0 : ip(frame, offset + 16, length - 16, u16(frame, offset + 14));
            }
            case LINKTYPE_LINUX_SLL2 -> {
                return length < 20 ? 0 : ip(frame, offset + 20, length - 20, u16(frame, offset));
            }
            case LinkType.RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                if (length < 1) {
                    return 0;
                }
                int version = (frame.get(ValueLayout.JAVA_BYTE, offset) & 0xF0) >> 4;
                return ip(frame, offset, length, version == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
            }
            default -> {
                return 0;
            }
        }
    }

    private static int ip(MemorySegment f, long at, int length, int etherType) {
        if (etherType == ETHERTYPE_IPV4 && length >= 20) {
            int headerLength = Ipv4Header.headerLength(f.get(ValueLayout.JAVA_BYTE, at + Ipv4Header.VERSION_IHL_OFFSET));
            int protocol = f.get(ValueLayout.JAVA_BYTE, at + 9) & 0xFF;
            int a = mix(f.get(BE32, at + 12));
            int b = mix(f.get(BE32, at + 16));
            boolean firstFragment = (u16(f, at + 6) & 0x1FFF) == 0;
            return combine(a, b, protocol, firstFragment ? f : null, at + headerLength, length - headerLength);
        }
        if (etherType == ETHERTYPE_IPV6 && length >= 40) {
            int protocol = f.get(ValueLayout.JAVA_BYTE, at + 6) & 0xFF;
            int a = 0;
            int b = 0;
            for (int i = 0; i < 16; i += 4) {
                a = a * 31 + f.get(BE32, at + 8 + i);
                b = b * 31 + f.get(BE32, at + 24 + i);
            }
            return combine(mix(a), mix(b), protocol, f, at + 40, length - 40);
        }
        return 0;
    }

    /** Adds each endpoint's (address, port) hash: addition is what makes it symmetric. */
    private static int combine(int addressA, int addressB, int protocol, MemorySegment f, long l4, int l4Length) {
        int portA = 0;
        int portB = 0;
        if (f != null && l4Length >= 4 && (protocol == 6 || protocol == 17 || protocol == 132)) {
            portA = u16(f, l4);
            portB = u16(f, l4 + 2);
        }
        int endpointA = mix(addressA ^ (portA * 0x9E3779B9));
        int endpointB = mix(addressB ^ (portB * 0x9E3779B9));
        return mix(endpointA + endpointB + protocol);
    }

    private static int u16(MemorySegment f, long at) {
        return f.get(BE16, at) & 0xFFFF;
    }

    /** murmur3's 32-bit finaliser. */
    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
