package gulp.decap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * 64-bit counters of what the decapsulator did, by outcome and reason. Written only by the reader
 * thread that owns the {@link Decapsulator}; other threads (status display, end-of-run report) may
 * read them at any time: values are published with opaque writes, never torn, possibly a little late.
 */
public final class DecapCounters {

    /** Every counted event, with the label printed in the end-of-run summary. */
    public enum Counter {
        INNER_ERSPAN_I(Group.DECAPSULATED, "ERSPAN type I"),
        INNER_ERSPAN_II(Group.DECAPSULATED, "ERSPAN type II"),
        INNER_ERSPAN_III(Group.DECAPSULATED, "ERSPAN type III"),
        INNER_GRE_TEB(Group.DECAPSULATED, "GRE transparent Ethernet bridging"),
        INNER_VXLAN(Group.DECAPSULATED, "VXLAN"),
        INNER_GENEVE(Group.DECAPSULATED, "Geneve"),
        INNER_SYNTHETIC_ETHERNET(Group.NOTE, "inner IP packets given a synthetic Ethernet header"),

        NOT_ENCAPSULATION(Group.OTHER, "not encapsulation"),

        TRUNCATED_OUTER(Group.SKIPPED, "outer headers truncated by the capture"),
        MALFORMED_OUTER_IP(Group.SKIPPED, "malformed outer IP header"),
        OUTER_LENGTH_BEYOND_PACKET(Group.SKIPPED, "outer IP/UDP length beyond the packet"),
        TRUNCATED_ENCAPSULATION(Group.SKIPPED, "encapsulation header truncated"),
        GRE_BAD_VERSION(Group.SKIPPED, "GRE version not 0"),
        GRE_ROUTING(Group.SKIPPED, "GRE routing present"),
        GRE_NOT_BRIDGING(Group.SKIPPED, "GRE not bridging (not ERSPAN or 0x6558)"),
        ERSPAN_UNKNOWN_VERSION(Group.SKIPPED, "unknown ERSPAN version"),
        ERSPAN_FRAME_TYPE(Group.SKIPPED, "ERSPAN III frame type neither Ethernet nor IP"),
        VXLAN_NO_VNI_FLAG(Group.SKIPPED, "VXLAN without the I flag"),
        VXLAN_GPE_PROTOCOL(Group.SKIPPED, "VXLAN-GPE payload neither Ethernet nor IP"),
        GENEVE_BAD_VERSION(Group.SKIPPED, "Geneve version not 0"),
        GENEVE_PROTOCOL(Group.SKIPPED, "Geneve payload neither Ethernet nor IP"),
        INNER_TOO_SHORT(Group.SKIPPED, "inner frame too short"),
        INNER_IP_VERSION(Group.SKIPPED, "inner IP packet of unknown version"),
        SESSION_FILTERED(Group.SKIPPED, "ERSPAN session filtered out"),
        VNI_FILTERED(Group.SKIPPED, "VNI filtered out"),
        FRAGMENT_TRUNCATED(Group.SKIPPED, "outer fragment truncated by the capture"),
        FRAGMENT_INCONSISTENT(Group.SKIPPED, "fragments overlapping or inconsistent (datagram dropped)"),
        FRAGMENT_TOO_LARGE(Group.SKIPPED, "fragmented datagram larger than 65535 bytes"),
        REASSEMBLED_NOT_ENCAPSULATION(Group.SKIPPED, "reassembled datagram not encapsulation"),

        FRAGMENT_HELD(Group.FRAGMENTS, "outer fragments held for reassembly"),
        FRAGMENT_REASSEMBLED(Group.FRAGMENTS, "outer datagrams reassembled"),
        FRAGMENT_GIVEN_UP_TIMEOUT(Group.FRAGMENTS, "datagrams given up (fragments missing after timeout)"),
        FRAGMENT_GIVEN_UP_TABLE_FULL(Group.FRAGMENTS, "datagrams given up (reassembly table full)"),
        FRAGMENT_GIVEN_UP_AT_END(Group.FRAGMENTS, "datagrams incomplete at the end of the run"),

        HARDWARE_TIME_UNUSABLE(Group.NOTE, "ERSPAN III packets stamped with arrival time (no usable hardware time)");

        private final Group group;
        private final String label;

        Counter(Group group, String label) {
            this.group = group;
            this.label = label;
        }

        public Group group() { return group; }

        public String label() { return label; }
    }

    /** How a counter relates to the outcome of {@link Decapsulator#decapsulate}. */
    public enum Group { DECAPSULATED, OTHER, SKIPPED, FRAGMENTS, NOTE }

    private static final Counter[] ALL = Counter.values();
    private static final VarHandle VALUE = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] values = new long[ALL.length];

    void increment(Counter counter) { add(counter, 1); }

    /** Counts a packet skipped for {@code reason} and says so in {@code out}. */
    DecapOutcome skip(Counter reason, DecapResult out) {
        increment(reason);
        out.skipReason = reason;
        out.syntheticPrefix = false;
        return DecapOutcome.SKIPPED;
    }

    /**
     * Counts a packet that is not encapsulation, at the return that decides it: the one place OTHER
     * is counted (counting it once in {@link Decapsulator#decapsulate} instead cost about 1 ns on
     * such packets, see docs/decap-bench.md); reassembly takes the count back when a completed
     * datagram is not ours.
     */
    DecapOutcome other() {
        increment(Counter.NOT_ENCAPSULATION);
        return DecapOutcome.OTHER;
    }

    /** Single writer: a plain read of our own value, then an opaque write for the readers. */
    void add(Counter counter, long amount) {
        int i = counter.ordinal();
        VALUE.setOpaque(values, i, values[i] + amount);
    }

    public long get(Counter counter) { return (long) VALUE.getOpaque(values, counter.ordinal()); }

    /** Sum over a group, e.g. every skipped packet. */
    public long total(Group group) {
        long sum = 0;
        for (Counter c : ALL) if (c.group == group) sum += get(c);
        return sum;
    }

    /** Appends one line per non-zero counter, grouped, for the end-of-run report. */
    public void appendSummary(StringBuilder out) {
        out.append("decapsulated: ").append(total(Group.DECAPSULATED)).append(" packets\n");
        appendGroup(out, Group.DECAPSULATED);
        appendGroup(out, Group.NOTE);
        long other = total(Group.OTHER);
        if (other > 0) out.append("not encapsulation: ").append(other).append(" packets\n");
        long skipped = total(Group.SKIPPED);
        if (skipped > 0) {
            out.append("skipped: ").append(skipped).append(" packets\n");
            appendGroup(out, Group.SKIPPED);
        }
        if (get(Counter.FRAGMENT_HELD) > 0) {
            out.append("outer IP fragments:\n");
            appendGroup(out, Group.FRAGMENTS);
        }
    }

    private void appendGroup(StringBuilder out, Group group) {
        for (Counter c : ALL) {
            long v = get(c);
            if (c.group == group && v != 0) out.append("  ").append(v).append(' ').append(c.label).append('\n');
        }
    }
}
