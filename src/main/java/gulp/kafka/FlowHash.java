package gulp.kafka;

import gulp.decap.EthernetHeader;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.Sll2Header;
import gulp.decap.SllHeader;
import gulp.format.LinkType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A symmetric hash of a frame's 5-tuple (addresses, ports, protocol): both directions of a flow hash
 * alike, so a flow's packets go to one Kafka partition. Frames are the ones written (the inner frame
 * after {@code -d}). Ethernet (behind its VLAN tags, {@link EthernetHeader#isVlanTpid}), Linux
 * cooked v1/v2 and raw IP; IPv4 and IPv6; ports for TCP, UDP and SCTP (first IPv4 fragment only).
 * Anything else hashes on what it has (non-IP frames: 0, so they share one partition).
 */
public final class FlowHash {
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int LINKTYPE_IPV4 = 228;
    private static final int LINKTYPE_IPV6 = 229;

    private FlowHash() {
    }

    /** The hash of the {@code length} bytes of frame at {@code offset} of {@code frame}, of link type {@code linkType}. */
    public static int of(MemorySegment frame, long offset, int length, int linkType) {
        switch (linkType & LinkType.MASK) {
            case LinkType.ETHERNET -> {
                int at = EthernetHeader.ETHERTYPE_OFFSET;
                // At most MAX_VLAN_TAGS tags, as the decapsulator: a frame of nothing but tags costs no more.
                for (int tags = 0; tags <= EthernetHeader.MAX_VLAN_TAGS && at + EthernetHeader.ETHERTYPE_LENGTH <= length; tags++) {
                    int type = u16(frame, offset + at);
                    if (EthernetHeader.isVlanTpid(type)) {
                        at += EthernetHeader.VLAN_TAG_LENGTH; // to the tag's next type
                        continue;
                    }
                    return ip(frame, offset + at + EthernetHeader.ETHERTYPE_LENGTH,
                            length - at - EthernetHeader.ETHERTYPE_LENGTH, type);
                }
                return 0;
            }
            case SllHeader.LINKTYPE -> {
                return length < SllHeader.LENGTH ? 0 : ip(frame, offset + SllHeader.LENGTH, length - SllHeader.LENGTH,
                        u16(frame, offset + SllHeader.PROTOCOL_OFFSET));
            }
            case Sll2Header.LINKTYPE -> {
                return length < Sll2Header.LENGTH ? 0 : ip(frame, offset + Sll2Header.LENGTH, length - Sll2Header.LENGTH,
                        u16(frame, offset + Sll2Header.PROTOCOL_OFFSET));
            }
            case LinkType.RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                if (length < 1) {
                    return 0;
                }
                int version = (frame.get(ValueLayout.JAVA_BYTE, offset) & 0xF0) >> 4;
                return ip(frame, offset, length,
                        version == Ipv6Header.VERSION ? EthernetHeader.TYPE_IPV6 : EthernetHeader.TYPE_IPV4);
            }
            default -> {
                return 0;
            }
        }
    }

    private static int ip(MemorySegment f, long at, int length, int etherType) {
        if (etherType == EthernetHeader.TYPE_IPV4 && length >= Ipv4Header.MIN_LENGTH) {
            int headerLength = Ipv4Header.headerLength(f.get(ValueLayout.JAVA_BYTE, at + Ipv4Header.VERSION_IHL_OFFSET));
            int protocol = f.get(ValueLayout.JAVA_BYTE, at + Ipv4Header.PROTOCOL_OFFSET) & 0xFF;
            int a = mix(f.get(BE32, at + Ipv4Header.SOURCE_OFFSET));
            int b = mix(f.get(BE32, at + Ipv4Header.DESTINATION_OFFSET));
            boolean firstFragment = (u16(f, at + Ipv4Header.FLAGS_FRAGMENT_OFFSET) & Ipv4Header.FRAGMENT_OFFSET_MASK) == 0;
            return combine(a, b, protocol, firstFragment ? f : null, at + headerLength, length - headerLength);
        }
        if (etherType == EthernetHeader.TYPE_IPV6 && length >= Ipv6Header.LENGTH) {
            int protocol = f.get(ValueLayout.JAVA_BYTE, at + Ipv6Header.NEXT_HEADER_OFFSET) & 0xFF;
            int a = 0;
            int b = 0;
            for (int i = 0; i < Ipv6Header.ADDRESS_LENGTH; i += 4) {
                a = a * 31 + f.get(BE32, at + Ipv6Header.SOURCE_OFFSET + i);
                b = b * 31 + f.get(BE32, at + Ipv6Header.DESTINATION_OFFSET + i);
            }
            return combine(mix(a), mix(b), protocol, f, at + Ipv6Header.LENGTH, length - Ipv6Header.LENGTH);
        }
        return 0;
    }

    /** Adds each endpoint's (address, port) hash: addition is what makes it symmetric. */
    private static int combine(int addressA, int addressB, int protocol, MemorySegment f, long l4, int l4Length) {
        int portA = 0;
        int portB = 0;
        if (f != null && l4Length >= 4 && Ipv4Header.hasPorts(protocol)) {
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
