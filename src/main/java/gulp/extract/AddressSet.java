package gulp.extract;

import java.nio.ByteBuffer;

/**
 * The IPv4 and IPv6 addresses a file holds, for skipping files a {@code host} or {@code net}
 * query cannot match: an exact set up to {@link #EXACT_LIMIT} addresses, then a Bloom filter
 * ({@link AddressFilter}: blocked, about 0.16 % false positives for 100 000 addresses unfolded;
 * an earlier build's classic one when read from its index), its rate stated in the index and by
 * {@code --list}. A false positive only means a file is read for nothing; there are no false
 * negatives. Keys: an IPv4 address as its IPv4-mapped IPv6 address (two longs).
 */
final class AddressSet {
    static final int EXACT_LIMIT = 4096;
    /** The serialised kind of an exact set (a filter's are {@link AddressFilter}'s). */
    private static final byte EXACT = 0;
    private static final int TABLE = 8192; // power of two above EXACT_LIMIT / 0.5
    static final long V4_MAPPED_HIGH = 0;
    static final long V4_MAPPED_LOW_PREFIX = 0x0000FFFF_00000000L;

    // The exact set: IPv4 addresses in an open-addressing table of ints (0 marks a free slot; the
    // address 0.0.0.0 is a flag), IPv6 addresses in one of long pairs.
    private int[] v4 = new int[TABLE];
    private boolean hasV4Zero;
    private long[] highs = new long[TABLE];
    private long[] lows = new long[TABLE];
    private boolean[] used = new boolean[TABLE];
    private int size;
    private AddressFilter bloom; // non-null once the set grew past EXACT_LIMIT (or read so from an index)
    /**
     * Addresses added and not yet in the set: an add is a store here, the set's (or filter's)
     * scattered reads and writes are made {@link #PENDING} at a time ({@link #settle}), close
     * together, so that the cache misses of a set larger than the cache overlap instead of
     * stalling the writer once an address. Every method that reads the set settles it first.
     */
    private static final int PENDING = 256;
    private final int[] pendingV4 = new int[PENDING];
    private int pendingV4Count;
    private final long[] pendingV6 = new long[PENDING * 2];
    private int pendingV6Count;

    /** A copy that later additions to this set do not change. */
    AddressSet copy() {
        settle();
        if (bloom != null) {
            return ofFilter(bloom.copy());
        }
        AddressSet c = new AddressSet();
        c.size = size;
        c.hasV4Zero = hasV4Zero;
        c.highs = highs.clone();
        c.lows = lows.clone();
        c.used = used.clone();
        c.v4 = v4.clone();
        return c;
    }

    /**
     * An empty set holding a classic Bloom filter of {@code bits} bits, as earlier builds made
     * past {@link #EXACT_LIMIT} (their indexes are read as such): for tests of reading them.
     */
    static AddressSet classicBloom(int bits) {
        return ofFilter(AddressFilter.classic(bits));
    }

    /** A set that is {@code filter} (past {@link #EXACT_LIMIT}: grown, copied, read from an index, or for tests). */
    private static AddressSet ofFilter(AddressFilter filter) {
        AddressSet set = new AddressSet();
        set.bloom = filter;
        set.dropExactTables();
        set.size = EXACT_LIMIT + 1;
        return set;
    }

    static long v4Low(int address) {
        return V4_MAPPED_LOW_PREFIX | Integer.toUnsignedLong(address);
    }

    void addV4(int address) {
        int n = pendingV4Count;
        pendingV4[n] = address;
        pendingV4Count = ++n;
        if (n == PENDING) {
            settle();
        }
    }

    /** Puts the addresses added since the last call into the set. */
    private void settle() {
        if (bloom != null) {
            bloom.addAll(pendingV4, pendingV4Count, pendingV6, pendingV6Count);
            pendingV4Count = pendingV6Count = 0;
            return;
        }
        int n = pendingV4Count;
        if (n > 0) {
            pendingV4Count = 0;
            int[] p = pendingV4;
            for (int i = 0; i < n; i++) {
                insertV4(p[i]);
            }
        }
        n = pendingV6Count;
        if (n > 0) {
            pendingV6Count = 0;
            long[] p = pendingV6;
            for (int i = 0; i < n; i += 2) {
                insertV6(p[i], p[i + 1]);
            }
        }
    }

    private void insertV4(int address) {
        if (bloom != null) {
            bloom.add(V4_MAPPED_HIGH, v4Low(address));
            return;
        }
        if (address == 0) {
            if (!hasV4Zero) {
                hasV4Zero = true;
                grew();
            }
            return;
        }
        int slot = v4Slot(address);
        int k;
        while ((k = v4[slot]) != 0) {
            if (k == address) {
                return;
            }
            slot = (slot + 1) & (TABLE - 1);
        }
        v4[slot] = address;
        grew();
    }

    private static int v4Slot(int address) {
        return (address * 0x9E3779B1) >>> (32 - Integer.numberOfTrailingZeros(TABLE));
    }

    private void grew() {
        if (++size > EXACT_LIMIT) {
            toBloom();
        }
    }

    private boolean containsV4Exact(int address) {
        if (address == 0) {
            return hasV4Zero;
        }
        int slot = v4Slot(address);
        int k;
        while ((k = v4[slot]) != 0) {
            if (k == address) {
                return true;
            }
            slot = (slot + 1) & (TABLE - 1);
        }
        return false;
    }

    void add(long high, long low) {
        if (high == V4_MAPPED_HIGH && (low >>> 32) == 0xFFFF) {
            addV4((int) low); // one key for an address, however it came
            return;
        }
        int n = pendingV6Count;
        pendingV6[n] = high;
        pendingV6[n + 1] = low;
        pendingV6Count = n += 2;
        if (n == pendingV6.length) {
            settle();
        }
    }

    /** An address not IPv4-mapped. */
    private void insertV6(long high, long low) {
        if (bloom != null) {
            bloom.add(high, low);
            return;
        }
        int slot = (int) AddressFilter.mix(high, low) & (TABLE - 1);
        while (used[slot]) {
            if (highs[slot] == high && lows[slot] == low) {
                return;
            }
            slot = (slot + 1) & (TABLE - 1);
        }
        used[slot] = true;
        highs[slot] = high;
        lows[slot] = low;
        grew();
    }

    boolean mayContainV4(int address) {
        return mayContain(V4_MAPPED_HIGH, v4Low(address));
    }

    /** False only if the address is certainly not in the file. */
    boolean mayContain(long high, long low) {
        settle();
        if (bloom != null) {
            return bloom.mayContain(high, low);
        }
        if (high == V4_MAPPED_HIGH && (low >>> 32) == 0xFFFF) {
            return containsV4Exact((int) low);
        }
        int slot = (int) AddressFilter.mix(high, low) & (TABLE - 1);
        while (used[slot]) {
            if (highs[slot] == high && lows[slot] == low) {
                return true;
            }
            slot = (slot + 1) & (TABLE - 1);
        }
        return false;
    }

    /** Whether any IPv4 address of the set lies in {@code network}/{@code prefix}; true when not known (a Bloom filter). */
    boolean mayContainV4Net(int network, int prefix) {
        settle();
        if (bloom != null) {
            if (prefix < 24) {
                return true;
            }
            int count = 1 << (32 - prefix);
            for (int i = 0; i < count; i++) {
                if (mayContainV4(network + i)) {
                    return true;
                }
            }
            return false;
        }
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        if (hasV4Zero && (network & mask) == 0) {
            return true;
        }
        for (int i = 0; i < TABLE; i++) {
            if (v4[i] != 0 && (v4[i] & mask) == (network & mask)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any IPv6 address of the set lies in the network; true when not known. */
    boolean mayContainV6Net(long high, long low, int prefix) {
        settle();
        if (bloom != null) {
            return prefix < 128 ? true : mayContain(high, low);
        }
        for (int i = 0; i < TABLE; i++) {
            if (used[i] && inV6Net(highs[i], lows[i], high, low, prefix)) {
                return true;
            }
        }
        if (high == V4_MAPPED_HIGH && prefix > 96 && (low >>> 32) == 0xFFFF) { // an IPv4-mapped network
            return mayContainV4Net((int) low, prefix - 96);
        }
        if (high == V4_MAPPED_HIGH && prefix <= 96 && inV6Net(V4_MAPPED_HIGH, V4_MAPPED_LOW_PREFIX, high, low, prefix)) {
            return hasV4Zero || size > v6Count();
        }
        return false;
    }

    private static boolean inV6Net(long h, long l, long netHigh, long netLow, int prefix) {
        if (prefix <= 64) {
            long mask = prefix == 0 ? 0 : -1L << (64 - prefix);
            return (h & mask) == (netHigh & mask);
        }
        long mask = -1L << (128 - prefix);
        return h == netHigh && (l & mask) == (netLow & mask);
    }

    boolean exact() {
        settle();
        return bloom == null;
    }

    int size() {
        settle();
        return size;
    }

    /** The Bloom filter's false-positive rate as filled ({@link AddressFilter#falsePositiveRate}); 0 for an exact set. */
    double falsePositiveRate() {
        settle();
        return bloom == null ? 0 : bloom.falsePositiveRate();
    }

    private void toBloom() {
        bloom = AddressFilter.blocked();
        for (int i = 0; i < TABLE; i++) {
            if (used[i]) {
                bloom.add(highs[i], lows[i]);
            }
            if (v4[i] != 0) {
                bloom.add(V4_MAPPED_HIGH, v4Low(v4[i]));
            }
        }
        if (hasV4Zero) {
            bloom.add(V4_MAPPED_HIGH, v4Low(0));
        }
        dropExactTables();
    }

    /** The exact set's tables, unused once the set is a Bloom filter. */
    private void dropExactTables() {
        highs = lows = null;
        used = null;
        v4 = null;
    }

    private int v6Count() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }

    /** Folds the Bloom filter to fit {@code maxBytes} while its rate stays under {@code maxRate} ({@link AddressFilter#foldToFit}). */
    void foldToFit(long maxBytes, double maxRate) {
        settle();
        if (bloom != null) {
            bloom.foldToFit(maxBytes, maxRate);
        }
    }

    // ------------------------------------------------------------ serialised form

    /** Bytes {@link #write} takes. */
    int serialisedBytes() {
        settle();
        if (bloom != null) {
            return bloom.serialisedBytes();
        }
        int v6 = v6Count();
        return 1 + 4 + 4 + (size - v6) * 4 + v6 * 16;
    }

    void write(ByteBuffer out) {
        settle();
        if (bloom != null) {
            bloom.write(out);
            return;
        }
        int v6 = v6Count();
        out.put(EXACT).putInt(size - v6).putInt(v6);
        if (hasV4Zero) {
            out.putInt(0);
        }
        for (int i = 0; i < TABLE; i++) {
            if (v4[i] != 0) {
                out.putInt(v4[i]);
            }
        }
        for (int i = 0; i < TABLE; i++) {
            if (used[i]) {
                out.putLong(highs[i]).putLong(lows[i]);
            }
        }
    }

    static AddressSet read(ByteBuffer in) {
        byte kind = in.get();
        if (kind == AddressFilter.CLASSIC || kind == AddressFilter.BLOCKED) {
            return ofFilter(AddressFilter.read(in, kind));
        }
        AddressSet set = new AddressSet();
        if (kind != EXACT) {
            throw new IllegalArgumentException("unknown address set kind " + kind);
        }
        int v4 = in.getInt();
        int v6 = in.getInt();
        if (v4 < 0 || v6 < 0 || v4 + v6 > EXACT_LIMIT) {
            throw new IllegalArgumentException("bad address counts");
        }
        for (int i = 0; i < v4; i++) {
            set.addV4(in.getInt());
        }
        for (int i = 0; i < v6; i++) {
            set.add(in.getLong(), in.getLong());
        }
        return set;
    }
}
