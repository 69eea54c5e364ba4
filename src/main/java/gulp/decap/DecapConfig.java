package gulp.decap;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code -d} decapsulates; immutable. Build with {@link #builder()}; the {@code parse...}
 * helpers turn command-line strings into values and throw {@link IllegalArgumentException} with
 * a one-line message for anything they cannot read.
 */
public final class DecapConfig {
    public static final int DEFAULT_VXLAN_PORT = 4789;
    public static final int DEFAULT_GENEVE_PORT = 6081;
    /** ERSPAN session ids are 10 bits. */
    public static final int MAX_ERSPAN_SESSION = 0x3FF;
    /** VNIs are 24 bits. */
    public static final int MAX_VNI = 0xFF_FFFF;

    private final Set<EncapKind> kinds;
    private final int vxlanPort;
    private final int genevePort;
    private final boolean keepOther;
    private final Set<Integer> erspanSessions;
    private final Set<Integer> vnis;
    private final boolean useErspanHardwareTime;
    // Lookup forms for the per-packet path (no boxing there).
    private final boolean[] kindEnabled = new boolean[EncapKind.values().length];
    private final BitSet sessionFilter = new BitSet(MAX_ERSPAN_SESSION + 1);
    private final int[] vniFilterSorted;

    private DecapConfig(Builder b) {
        this.kinds = Collections.unmodifiableSet(EnumSet.copyOf(b.kinds));
        this.vxlanPort = b.vxlanPort;
        this.genevePort = b.genevePort;
        this.keepOther = b.keepOther;
        this.erspanSessions = Collections.unmodifiableSet(new TreeSet<>(b.erspanSessions));
        this.vnis = Collections.unmodifiableSet(new TreeSet<>(b.vnis));
        this.useErspanHardwareTime = b.useErspanHardwareTime;
        for (EncapKind k : kinds) kindEnabled[k.ordinal()] = true;
        for (int s : erspanSessions) sessionFilter.set(s);
        this.vniFilterSorted = vnis.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    public static Builder builder() { return new Builder(); }

    /** All kinds, default ports, no filters, arrival timestamps, other packets dropped. */
    public static DecapConfig defaults() { return builder().build(); }

    public Set<EncapKind> kinds() { return kinds; }
    public int vxlanPort() { return vxlanPort; }
    public int genevePort() { return genevePort; }
    public boolean keepOther() { return keepOther; }
    public Set<Integer> erspanSessions() { return erspanSessions; }
    public Set<Integer> vnis() { return vnis; }
    public boolean useErspanHardwareTime() { return useErspanHardwareTime; }

    boolean enabled(EncapKind kind) { return kindEnabled[kind.ordinal()]; }

    boolean sessionAccepted(int sessionId) { return erspanSessions.isEmpty() || sessionFilter.get(sessionId); }

    /** ERSPAN type I has no session id: a session filter excludes it. */
    boolean sessionlessAccepted() { return erspanSessions.isEmpty(); }

    boolean vniAccepted(int vni) { return vniFilterSorted.length == 0 || Arrays.binarySearch(vniFilterSorted, vni) >= 0; }

    @Override
    public String toString() {
        return "DecapConfig[kinds=" + kinds + ", vxlanPort=" + vxlanPort + ", genevePort=" + genevePort
                + ", keepOther=" + keepOther + ", erspanSessions=" + erspanSessions + ", vnis=" + vnis
                + ", useErspanHardwareTime=" + useErspanHardwareTime + "]";
    }

    /** Parses {@code erspan,vxlan,geneve,gre} (case-insensitive; {@code all} for every kind). */
    public static EnumSet<EncapKind> parseKinds(String text) {
        EnumSet<EncapKind> kinds = EnumSet.noneOf(EncapKind.class);
        for (String item : items(text, "--decap")) {
            if (item.equalsIgnoreCase("all")) {
                kinds.addAll(EnumSet.allOf(EncapKind.class));
                continue;
            }
            EncapKind found = null;
            for (EncapKind k : EncapKind.values()) if (k.commandLineName().equalsIgnoreCase(item)) found = k;
            if (found == null) {
                throw new IllegalArgumentException("--decap: unknown encapsulation '" + item
                        + "' (expected erspan, gre, vxlan, geneve or all)");
            }
            kinds.add(found);
        }
        return kinds;
    }

    /** Parses {@code 1,7} into ERSPAN session ids (0-1023). */
    public static Set<Integer> parseErspanSessions(String text) {
        return parseNumbers(text, "--erspan-session", "ERSPAN session id", MAX_ERSPAN_SESSION);
    }

    /** Parses {@code 100,200} into VNIs (0-16777215). */
    public static Set<Integer> parseVnis(String text) {
        return parseNumbers(text, "--vni", "VNI", MAX_VNI);
    }

    /** Parses a UDP port number (1-65535) for the option named {@code option}. */
    public static int parsePort(String text, String option) {
        Set<Integer> one = parseNumbers(text, option, "UDP port", 0xFFFF);
        if (one.size() != 1 || one.contains(0)) {
            throw new IllegalArgumentException(option + ": expected one UDP port 1-65535, got '" + text + "'");
        }
        return one.iterator().next();
    }

    private static Set<Integer> parseNumbers(String text, String option, String what, int max) {
        Set<Integer> values = new TreeSet<>();
        for (String item : items(text, option)) {
            long value;
            try {
                value = item.startsWith("0x") || item.startsWith("0X")
                        ? Long.parseLong(item.substring(2), 16) : Long.parseLong(item);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + item + "' is not a number");
            }
            if (value < 0 || value > max) {
                throw new IllegalArgumentException(option + ": " + what + " " + item + " out of range 0-" + max);
            }
            values.add((int) value);
        }
        return values;
    }

    private static String[] items(String text, String option) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException(option + ": empty list");
        String[] items = text.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            items[i] = items[i].strip();
            if (items[i].isEmpty()) throw new IllegalArgumentException(option + ": empty item in '" + text + "'");
        }
        return items;
    }

    public static final class Builder {
        private EnumSet<EncapKind> kinds = EnumSet.allOf(EncapKind.class);
        private int vxlanPort = DEFAULT_VXLAN_PORT;
        private int genevePort = DEFAULT_GENEVE_PORT;
        private boolean keepOther;
        private Set<Integer> erspanSessions = Set.of();
        private Set<Integer> vnis = Set.of();
        private boolean useErspanHardwareTime;

        private Builder() {}

        public Builder kinds(Set<EncapKind> kinds) {
            if (kinds.isEmpty()) throw new IllegalArgumentException("--decap: no encapsulation enabled");
            this.kinds = EnumSet.copyOf(kinds);
            return this;
        }

        public Builder vxlanPort(int port) { this.vxlanPort = checkPort(port, "--vxlan-port"); return this; }

        public Builder genevePort(int port) { this.genevePort = checkPort(port, "--geneve-port"); return this; }

        public Builder keepOther(boolean keepOther) { this.keepOther = keepOther; return this; }

        public Builder erspanSessions(Set<Integer> sessions) {
            for (int s : sessions) {
                if (s < 0 || s > MAX_ERSPAN_SESSION) {
                    throw new IllegalArgumentException("--erspan-session: ERSPAN session id " + s + " out of range 0-" + MAX_ERSPAN_SESSION);
                }
            }
            this.erspanSessions = Set.copyOf(sessions);
            return this;
        }

        public Builder vnis(Set<Integer> vnis) {
            for (int v : vnis) {
                if (v < 0 || v > MAX_VNI) throw new IllegalArgumentException("--vni: VNI " + v + " out of range 0-" + MAX_VNI);
            }
            this.vnis = Set.copyOf(vnis);
            return this;
        }

        public Builder useErspanHardwareTime(boolean use) { this.useErspanHardwareTime = use; return this; }

        public DecapConfig build() {
            if (kinds.contains(EncapKind.VXLAN) && kinds.contains(EncapKind.GENEVE) && vxlanPort == genevePort) {
                throw new IllegalArgumentException("--vxlan-port and --geneve-port are both " + vxlanPort);
            }
            return new DecapConfig(this);
        }

        private static int checkPort(int port, String option) {
            if (port < 1 || port > 0xFFFF) throw new IllegalArgumentException(option + ": UDP port " + port + " out of range 1-65535");
            return port;
        }
    }
}
