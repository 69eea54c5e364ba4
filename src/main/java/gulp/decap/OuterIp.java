package gulp.decap;

import gulp.decap.DecapCounters.Counter;

import java.lang.foreign.MemorySegment;

import static gulp.decap.Bytes.u16;
import static gulp.decap.Bytes.u32;
import static gulp.decap.Bytes.u32Unsigned;
import static gulp.decap.Bytes.u64;
import static gulp.decap.Bytes.u8;
import static gulp.decap.DecapOutcome.HELD;
import static gulp.decap.DecapOutcome.INNER;
import static gulp.decap.DecapOutcome.OTHER;

/**
 * The outer IP layer of a {@link Decapsulator}: the IPv4 or IPv6 header (and IPv6's extension
 * headers) after the outer link layer, lengths checked against what was captured, fragments of
 * a GRE or UDP datagram offered to the {@link FragmentReassembler} and a completed datagram
 * decapsulated from its buffer; whole datagrams go on to the {@link Tunnels} layer.
 * <p>
 * Reader thread only, like its decapsulator; no allocation (one {@link Fragment} refilled).
 */
final class OuterIp {
    private final DecapCounters counters;
    private final FragmentReassembler reassembler;
    private final Tunnels tunnels;
    /** The fragment being offered to the reassembler, refilled for each one. */
    private final Fragment fragment = new Fragment();
    private final boolean greKinds;
    private final boolean udpKinds;

    OuterIp(DecapConfig config, DecapCounters counters, FragmentReassembler reassembler, Tunnels tunnels) {
        this.counters = counters;
        this.reassembler = reassembler;
        this.tunnels = tunnels;
        this.greKinds = config.enabled(EncapKind.ERSPAN) || config.enabled(EncapKind.GRE);
        this.udpKinds = config.enabled(EncapKind.VXLAN) || config.enabled(EncapKind.GENEVE);
    }

    private boolean wanted(int protocol) {
        return (protocol == Ipv4Header.PROTOCOL_GRE && greKinds) || (protocol == Ipv4Header.PROTOCOL_UDP && udpKinds);
    }

    /** A malformed outer header: GRE is ours to count; UDP might be anything, so it passes as other. */
    private DecapOutcome malformedOuter(int protocol, Counter reason, DecapResult out) {
        return protocol == Ipv4Header.PROTOCOL_GRE ? counters.skip(reason, out) : counters.other();
    }

    DecapOutcome ipv4(MemorySegment pkt, long base, int ip, int cap, int wire, long ts, DecapResult out) {
        if (ip + Ipv4Header.MIN_LENGTH > cap) {
            // Too little to read the header; if we can see the protocol, GRE is ours to count.
            if (ip + Ipv4Header.PROTOCOL_OFFSET < cap && greKinds
                    && u8(pkt, base + ip + Ipv4Header.PROTOCOL_OFFSET) == Ipv4Header.PROTOCOL_GRE) {
                return counters.skip(Counter.TRUNCATED_OUTER, out);
            }
            return counters.other();
        }
        int protocol = u8(pkt, base + ip + Ipv4Header.PROTOCOL_OFFSET);
        if (!wanted(protocol)) {
            return counters.other();
        }
        int versionIhl = u8(pkt, base + ip);
        int headerLength = Ipv4Header.headerLength(versionIhl);
        if (Ipv4Header.version(versionIhl) != Ipv4Header.VERSION || headerLength < Ipv4Header.MIN_LENGTH) {
            return malformedOuter(protocol, Counter.MALFORMED_OUTER_IP, out);
        }
        if (ip + headerLength > cap) {
            return malformedOuter(protocol, Counter.TRUNCATED_OUTER, out);
        }
        int totalLength = u16(pkt, base + ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
        int end;
        if (totalLength == 0) {
            end = wire; // GSO / BIG TCP: the datagram runs to the end of the frame
        } else {
            if (totalLength < headerLength) {
                return malformedOuter(protocol, Counter.MALFORMED_OUTER_IP, out);
            }
            end = ip + totalLength;
            if (end > wire) {
                return malformedOuter(protocol, Counter.OUTER_LENGTH_BEYOND_PACKET, out);
            }
        }
        int payload = ip + headerLength;
        int fragment = u16(pkt, base + ip + Ipv4Header.FLAGS_FRAGMENT_OFFSET);
        if ((fragment & (Ipv4Header.MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            int fragmentOffset = (fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) * Ipv4Header.FRAGMENT_UNIT;
            if (protocol == Ipv4Header.PROTOCOL_UDP && fragmentOffset == 0
                    && !udpPortIsOurs(pkt, base, payload, Math.min(cap, end))) {
                return counters.other();
            }
            if (totalLength == 0) {
                return counters.skip(Counter.MALFORMED_OUTER_IP, out);
            }
            if (end > cap) {
                return counters.skip(Counter.FRAGMENT_TRUNCATED, out);
            }
            Fragment f = this.fragment;
            f.version = 4;
            f.sourceHigh = 0L;
            f.sourceLow = u32Unsigned(pkt, base + ip + Ipv4Header.SOURCE_OFFSET);
            f.destinationHigh = 0L;
            f.destinationLow = u32Unsigned(pkt, base + ip + Ipv4Header.DESTINATION_OFFSET);
            f.identification = u16(pkt, base + ip + Ipv4Header.IDENTIFICATION_OFFSET);
            f.keyProtocol = protocol;
            f.protocol = protocol;
            f.offset = fragmentOffset;
            f.more = (fragment & Ipv4Header.MORE_FRAGMENTS) != 0;
            f.segment = pkt;
            f.payloadAt = base + payload;
            f.payloadLength = end - payload;
            int result = reassembler.offer(f, ts);
            return reassembled(result, ts, out);
        }
        return tunnels.transport(pkt, base, payload, end, Math.min(cap, end), protocol, ts, out);
    }

    DecapOutcome ipv6(MemorySegment pkt, long base, int ip, int cap, int wire, long ts, DecapResult out) {
        if (ip + Ipv6Header.LENGTH > cap || (u8(pkt, base + ip) >>> 4) != 6) {
            return counters.other();
        }
        int next = u8(pkt, base + ip + Ipv6Header.NEXT_HEADER_OFFSET);
        int at = ip + Ipv6Header.LENGTH;
        boolean fragmented = false;
        int fragmentOffset = 0;
        boolean more = false;
        int id = 0;
        for (int headers = 0; ; headers++) {
            if (next == Ipv6Header.HOP_BY_HOP || next == Ipv6Header.ROUTING || next == Ipv6Header.DESTINATION_OPTIONS) {
                if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || at + 2 > cap) {
                    return counters.other();
                }
                next = u8(pkt, base + at + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                at += (u8(pkt, base + at + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1) * Ipv6Header.EXTENSION_LENGTH_UNIT;
            } else if (next == Ipv6Header.FRAGMENT) {
                if (at + Ipv6Header.FRAGMENT_HEADER_LENGTH > cap) {
                    return counters.other();
                }
                int offsetFlags = u16(pkt, base + at + Ipv6Header.FRAGMENT_OFFSET_FLAGS_OFFSET);
                fragmentOffset = offsetFlags & Ipv6Header.FRAGMENT_OFFSET_MASK;
                more = (offsetFlags & Ipv6Header.MORE_FRAGMENTS) != 0;
                fragmented = fragmentOffset != 0 || more; // an atomic fragment is a whole datagram
                id = u32(pkt, base + at + Ipv6Header.FRAGMENT_IDENTIFICATION_OFFSET);
                next = u8(pkt, base + at + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                at += Ipv6Header.FRAGMENT_HEADER_LENGTH;
                if (fragmented) break; // later headers belong to the fragmentable part
            } else {
                break;
            }
        }
        // The upper-layer protocol; behind a fragment header, destination options or routing headers
        // belong to the fragmentable part: visible in the first fragment only (-1: not visible).
        int upper = next;
        int upperAt = at;
        for (int headers = 0; fragmented && (upper == Ipv6Header.DESTINATION_OPTIONS || upper == Ipv6Header.ROUTING);
             headers++) {
            if (fragmentOffset != 0) {
                upper = -1;
                break;
            }
            if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || upperAt + 2 > cap) {
                return counters.other();
            }
            upper = u8(pkt, base + upperAt + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
            upperAt += (u8(pkt, base + upperAt + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                    * Ipv6Header.EXTENSION_LENGTH_UNIT;
        }
        if (upper < 0 ? !(greKinds || udpKinds) : !wanted(upper)) {
            return counters.other();
        }
        int payloadLength = u16(pkt, base + ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
        int end = payloadLength == 0 ? wire : ip + Ipv6Header.LENGTH + payloadLength;
        if (end > wire) {
            return malformedOuter(upper, Counter.OUTER_LENGTH_BEYOND_PACKET, out);
        }
        if (at > end) {
            return malformedOuter(upper, Counter.MALFORMED_OUTER_IP, out);
        }
        if (at > cap) {
            return malformedOuter(upper, Counter.TRUNCATED_OUTER, out);
        }
        if (fragmented) {
            if (upper == Ipv4Header.PROTOCOL_UDP && fragmentOffset == 0
                    && !udpPortIsOurs(pkt, base, upperAt, Math.min(cap, end))) {
                return counters.other();
            }
            if (payloadLength == 0) {
                return counters.skip(Counter.MALFORMED_OUTER_IP, out);
            }
            if (end > cap) {
                return counters.skip(Counter.FRAGMENT_TRUNCATED, out);
            }
            long src = base + ip + Ipv6Header.SOURCE_OFFSET;
            long dst = base + ip + Ipv6Header.DESTINATION_OFFSET;
            Fragment f = this.fragment;
            f.version = 6;
            f.sourceHigh = u64(pkt, src);
            f.sourceLow = u64(pkt, src + 8);
            f.destinationHigh = u64(pkt, dst);
            f.destinationLow = u64(pkt, dst + 8);
            f.identification = id;
            f.keyProtocol = 0;
            f.protocol = next;
            f.offset = fragmentOffset;
            f.more = more;
            f.segment = pkt;
            f.payloadAt = base + at;
            f.payloadLength = end - at;
            int result = reassembler.offer(f, ts);
            return reassembled(result, ts, out);
        }
        return tunnels.transport(pkt, base, at, end, Math.min(cap, end), next, ts, out);
    }

    /** For a first UDP fragment: is the destination port one we decapsulate (or not yet visible)? */
    private boolean udpPortIsOurs(MemorySegment pkt, long base, int udp, int capEnd) {
        if (udp + UdpHeader.LENGTH > capEnd) return true; // let reassembly or the skip counters decide
        return tunnels.udpPortIsOurs(u16(pkt, base + udp + UdpHeader.DESTINATION_PORT_OFFSET));
    }

    private DecapOutcome reassembled(int result, long ts, DecapResult out) {
        if (result == FragmentReassembler.HELD) {
            counters.increment(Counter.FRAGMENT_HELD);
            return HELD;
        }
        if (result == FragmentReassembler.DROPPED) {
            return counters.skip(reassembler.dropReason(), out);
        }
        counters.increment(Counter.FRAGMENT_REASSEMBLED);
        MemorySegment buffer = reassembler.buffer();
        long base = reassembler.completedOffset();
        int length = reassembler.completedLength();
        int protocol = reassembler.completedProtocol();
        int start = 0;
        // IPv6: extension headers after the fragment header (destination options, routing) are in the payload.
        for (int headers = 0; protocol == Ipv6Header.DESTINATION_OPTIONS || protocol == Ipv6Header.ROUTING; headers++) {
            if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || start + 2 > length) {
                return counters.skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
            }
            protocol = u8(buffer, base + start + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
            start += (u8(buffer, base + start + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                    * Ipv6Header.EXTENSION_LENGTH_UNIT;
        }
        if (!wanted(protocol) || start > length) {
            return counters.skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
        }
        DecapOutcome outcome = tunnels.transport(buffer, base, start, length, length, protocol, ts, out);
        if (outcome == OTHER) {
            // The fragments were held, so the original packet cannot be written as "other".
            counters.add(Counter.NOT_ENCAPSULATION, -1);
            return counters.skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
        }
        out.reassembled = outcome == INNER;
        return outcome;
    }
}
