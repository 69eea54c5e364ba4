package gulp.pipeline;

import gulp.capture.PacketHandler;
import gulp.decap.DecapResult;
import gulp.decap.EncapKind;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.SequenceGapTracker;
import gulp.format.CaptureInterface;
import gulp.format.LinkType;
import gulp.stats.InterfaceFigures;
import gulp.stats.SessionFigures;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * With {@code -d} and pcapng output, each mirror source is its own interface: one per (tunnel kind
 * and ERSPAN type, outer source address, ERSPAN session ID / VNI / GRE key), named for a person
 * reading Wireshark's interface column ({@code erspan2 192.0.2.1 session 100},
 * {@code vxlan 198.51.100.7 vni 42}), declared the first time the session is seen. Sessions are
 * found in a small open-addressing table: nothing is allocated per packet after a session's first
 * sight. Reader thread (the figures from any thread).
 */
final class MirrorSessions implements SessionFigures {
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Where the source address ends in an IPv4 and an IPv6 header: the header must reach that far. */
    private static final int IPV4_SOURCE_END = Ipv4Header.SOURCE_OFFSET + Ipv4Header.ADDRESS_LENGTH;
    private static final int IPV6_SOURCE_END = Ipv6Header.SOURCE_OFFSET + Ipv6Header.ADDRESS_LENGTH;
    /** Where an IPv6 source address's low 8 bytes sit (the address is read as two longs). */
    private static final int IPV6_SOURCE_LOW_OFFSET = Ipv6Header.SOURCE_OFFSET + Long.BYTES;

    private final SequenceGapTracker gaps;
    private final int snaplen;
    private final String filter;
    // The table: key (kind | type | id), outer source (high, low 64 bits of an IPv6 address, or an IPv4 address), interface.
    private long[] keys = new long[64];
    private long[] sourceHigh = new long[64];
    private long[] sourceLow = new long[64];
    private int[] interfaces = new int[64];
    private int used;
    /** Per interface id: the ERSPAN session whose gaps are its loss, -1 for none; -2 not a session. */
    private volatile int[] sessionOfInterface = new int[0];

    MirrorSessions(SequenceGapTracker gaps, int snaplen, String filter) {
        this.gaps = gaps;
        this.snaplen = snaplen;
        this.filter = filter;
        Arrays.fill(interfaces, -1);
    }

    /** The interface of the session {@code inner} came from (declaring it the first time). */
    int interfaceOf(PacketHandler path, DecapResult inner, MemorySegment outer, long offset, int caplen) {
        int network = inner.outerNetworkOffset(); // after every VLAN tag the decapsulator followed
        long high = 0;
        long low = 0;
        int version = network < caplen ? Ipv4Header.version(outer.get(ValueLayout.JAVA_BYTE, offset + network)) : 0;
        if (version == Ipv4Header.VERSION && network + IPV4_SOURCE_END <= caplen) {
            low = Integer.toUnsignedLong(outer.get(INT_BE, offset + network + Ipv4Header.SOURCE_OFFSET));
        } else if (version == Ipv6Header.VERSION && network + IPV6_SOURCE_END <= caplen) {
            high = outer.get(LONG_BE, offset + network + Ipv6Header.SOURCE_OFFSET);
            low = outer.get(LONG_BE, offset + network + IPV6_SOURCE_LOW_OFFSET);
        } else {
            version = 0;
        }
        long key = (long) inner.kind().ordinal() << 40 | (long) inner.erspanType() << 36 | (long) version << 33
                | (inner.id() == DecapResult.NO_ID ? 1L << 32 : Integer.toUnsignedLong(inner.id()));
        int mask = keys.length - 1;
        int at = (int) mix(key, high, low) & mask;
        while (interfaces[at] >= 0) {
            if (keys[at] == key && sourceHigh[at] == high && sourceLow[at] == low) {
                return interfaces[at];
            }
            at = (at + 1) & mask;
        }
        return declare(path, inner, key, version, high, low);
    }

    private int declare(PacketHandler path, DecapResult inner, long key, int version, long high, long low) {
        String name = name(inner, version, high, low);
        int id = path.declareInterface(new CaptureInterface(name, "mirror session " + name + " (decapsulated by gulp)",
                LinkType.ETHERNET, snaplen, filter));
        int[] sessions = sessionOfInterface;
        if (id >= sessions.length) {
            int old = sessions.length;
            sessions = Arrays.copyOf(sessions, Math.max(16, id * 2 + 1));
            Arrays.fill(sessions, old, sessions.length, -2);
        }
        boolean sequenced = inner.kind() == EncapKind.ERSPAN && inner.erspanType() >= 2 && inner.id() >= 0
                && inner.id() < SequenceGapTracker.SESSIONS;
        sessions[id] = sequenced ? inner.id() : -1;
        sessionOfInterface = sessions; // published before the description reaches the writer
        if (2 * (used + 1) > keys.length) {
            grow();
        }
        put(key, high, low, id);
        return id;
    }

    private void put(long key, long high, long low, int id) {
        int mask = keys.length - 1;
        int at = (int) mix(key, high, low) & mask;
        while (interfaces[at] >= 0) {
            at = (at + 1) & mask;
        }
        keys[at] = key;
        sourceHigh[at] = high;
        sourceLow[at] = low;
        interfaces[at] = id;
        used++;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldHigh = sourceHigh;
        long[] oldLow = sourceLow;
        int[] oldInterfaces = interfaces;
        keys = new long[oldKeys.length * 2];
        sourceHigh = new long[keys.length];
        sourceLow = new long[keys.length];
        interfaces = new int[keys.length];
        Arrays.fill(interfaces, -1);
        used = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldInterfaces[i] >= 0) {
                put(oldKeys[i], oldHigh[i], oldLow[i], oldInterfaces[i]);
            }
        }
    }

    private static long mix(long key, long high, long low) {
        long h = key * 0x9E3779B97F4A7C15L ^ high * 0xC2B2AE3D27D4EB4FL ^ low * 0x165667B19E3779F9L;
        return h ^ (h >>> 29);
    }

    /** e.g. {@code erspan2 192.0.2.1 session 100}, {@code vxlan 2001:db8::1 vni 42}, {@code gre 192.0.2.9}. */
    static String name(DecapResult inner, int version, long high, long low) {
        StringBuilder name = new StringBuilder(inner.kind().commandLineName());
        if (inner.kind() == EncapKind.ERSPAN) {
            name.append(inner.erspanType());
        }
        name.append(' ').append(address(version, high, low));
        if (inner.id() != DecapResult.NO_ID) {
            name.append(switch (inner.kind()) {
                case ERSPAN -> " session ";
                case GRE -> " key ";
                default -> " vni ";
            }).append(Integer.toUnsignedString(inner.id()));
        }
        return name.toString();
    }

    private static String address(int version, long high, long low) {
        byte[] bytes;
        if (version == Ipv4Header.VERSION) {
            bytes = ByteBuffer.allocate(Ipv4Header.ADDRESS_LENGTH).putInt((int) low).array();
        } else if (version == Ipv6Header.VERSION) {
            bytes = ByteBuffer.allocate(Ipv6Header.ADDRESS_LENGTH).putLong(high).putLong(low).array();
        } else {
            return "unknown-source";
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return "unknown-source";
        }
    }

    @Override
    public boolean isSession(int id) {
        int[] sessions = sessionOfInterface;
        return id < sessions.length && sessions[id] != -2;
    }

    @Override
    public long upstreamLoss(int id) {
        int[] sessions = sessionOfInterface;
        int session = id < sessions.length ? sessions[id] : -1;
        return session >= 0 ? gaps.missing(session) : InterfaceFigures.UNKNOWN;
    }
}
