package gulp.extract;

import java.nio.ByteBuffer;

/**
 * The Bloom filter an {@link AddressSet} becomes past its exact limit. Written now: blocked,
 * {@link #BLOCKED_BITS} bits in 64-bit words, each address setting {@link #BLOCKED_HASHES} bits of
 * one word (one read-modify-write an address for the writer, instead of k scattered ones); its
 * false-positive rate is the mean over the words of (bits set in the word / 64)^k, about 0.16 %
 * for 100 000 addresses unfolded. Indexes of earlier builds hold a classic one ({@link #HASHES}
 * bits anywhere in {@link #BLOOM_BITS}; 0.65 % for 100 000 addresses), still read and answered.
 * Either is folded in halves to fit an index's byte budget (a query masks its word or bit number
 * to the smaller size, so what was present stays present). No false negatives.
 * <pre>
 *  serialised: kind (1: classic, 2: blocked) | [blocked: int -1] | bits (int) | bits / 64 longs
 * </pre>
 * The -1 sits where earlier builds read an exact set's IPv4 count, so they refuse the index (and
 * read its file) rather than misread it.
 */
final class AddressFilter {
    static final byte CLASSIC = 1, BLOCKED = 2;
    static final int HASHES = 7;
    static final int BLOOM_BITS = 1 << 20;
    static final int BLOCKED_HASHES = 6;
    static final int BLOCKED_BITS = 1 << 21;

    private long[] words;
    private final boolean blocked;
    private long[] hashes = new long[0]; // addAll's, kept between calls

    private AddressFilter(long[] words, boolean blocked) {
        this.words = words;
        this.blocked = blocked;
    }

    /** An empty filter as this build makes them. */
    static AddressFilter blocked() {
        return new AddressFilter(new long[BLOCKED_BITS / 64], true);
    }

    /** An empty classic filter of {@code bits} bits, as earlier builds made them. */
    static AddressFilter classic(int bits) {
        return new AddressFilter(new long[bits / 64], false);
    }

    AddressFilter copy() {
        return new AddressFilter(words.clone(), blocked);
    }

    void add(long high, long low) {
        long h = mix(high, low);
        if (blocked) {
            words[(int) h & (words.length - 1)] |= blockMask(h); // the word: the hash's low bits, as folding keeps them
            return;
        }
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        int bits = words.length * 64;
        for (int i = 0; i < HASHES; i++) {
            int bit = (h1 + i * h2) & (bits - 1);
            words[bit >>> 6] |= 1L << bit;
        }
    }

    /**
     * Adds the IPv4 addresses {@code v4[0, v4Count)} (as IPv4-mapped IPv6 addresses) and the IPv6
     * addresses {@code v6[0, v6Longs)} (high, low pairs). A blocked filter hashes them all first,
     * then sets the words in a loop of independent loads and stores, so that the words' cache
     * misses (a filter larger than the cache, the writer's data streaming through it) overlap.
     */
    void addAll(int[] v4, int v4Count, long[] v6, int v6Longs) {
        if (!blocked) {
            for (int i = 0; i < v4Count; i++) {
                add(AddressSet.V4_MAPPED_HIGH, AddressSet.v4Low(v4[i]));
            }
            for (int i = 0; i < v6Longs; i += 2) {
                add(v6[i], v6[i + 1]);
            }
            return;
        }
        int n = v4Count + v6Longs / 2;
        if (hashes.length < n) {
            hashes = new long[n];
        }
        long[] h = hashes;
        for (int i = 0; i < v4Count; i++) {
            h[i] = mix(AddressSet.V4_MAPPED_HIGH, AddressSet.v4Low(v4[i]));
        }
        for (int i = 0, j = v4Count; i < v6Longs; i += 2, j++) {
            h[j] = mix(v6[i], v6[i + 1]);
        }
        long[] w = words;
        int mask = w.length - 1;
        for (int i = 0; i < n; i++) {
            long x = h[i];
            w[(int) x & mask] |= blockMask(x);
        }
    }

    /** False only if the address was certainly not added. */
    boolean mayContain(long high, long low) {
        long h = mix(high, low);
        if (blocked) {
            long mask = blockMask(h);
            return (words[(int) h & (words.length - 1)] & mask) == mask;
        }
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        int bits = words.length * 64;
        for (int i = 0; i < HASHES; i++) {
            int bit = (h1 + i * h2) & (bits - 1);
            if ((words[bit >>> 6] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The chance that an address not added is reported present: for a blocked filter the mean
     * over its words of (bits set / 64)^k (its k bits fall in one word), for a classic one
     * (bits set / bits)^k.
     */
    double falsePositiveRate() {
        if (blocked) {
            double[] powers = new double[65];
            for (int i = 0; i <= 64; i++) {
                powers[i] = Math.pow(i / 64.0, BLOCKED_HASHES);
            }
            double sum = 0;
            for (long w : words) {
                sum += powers[Long.bitCount(w)];
            }
            return sum / words.length;
        }
        long set = 0;
        for (long w : words) {
            set += Long.bitCount(w);
        }
        return Math.pow((double) set / (words.length * 64.0), HASHES);
    }

    /** Halves the filter (word i and word i + n/2 become one) while it is larger than {@code maxBytes} and its rate would stay under {@code maxRate}. */
    void foldToFit(long maxBytes, double maxRate) {
        while (words.length > 64 && words.length * 8L > maxBytes) {
            long[] previous = words;
            long[] folded = new long[previous.length / 2];
            for (int i = 0; i < folded.length; i++) {
                folded[i] = previous[i] | previous[i + folded.length];
            }
            words = folded;
            if (falsePositiveRate() > maxRate) {
                words = previous;
                return;
            }
        }
    }

    int serialisedBytes() {
        return 1 + (blocked ? 4 : 0) + 4 + words.length * 8;
    }

    void write(ByteBuffer out) {
        if (blocked) {
            out.put(BLOCKED).putInt(-1);
        } else {
            out.put(CLASSIC);
        }
        out.putInt(words.length * 64);
        for (long w : words) {
            out.putLong(w);
        }
    }

    /** The filter after its kind byte ({@link #CLASSIC} or {@link #BLOCKED}). */
    static AddressFilter read(ByteBuffer in, byte kind) {
        boolean blocked = kind == BLOCKED;
        if (blocked && in.getInt() != -1) {
            throw new IllegalArgumentException("bad blocked Bloom filter");
        }
        int bits = in.getInt();
        if (bits < 64 || Integer.bitCount(bits) != 1 || bits > (blocked ? BLOCKED_BITS : BLOOM_BITS)) {
            throw new IllegalArgumentException("bad Bloom filter size " + bits);
        }
        long[] words = new long[bits / 64];
        for (int i = 0; i < words.length; i++) {
            words[i] = in.getLong();
        }
        return new AddressFilter(words, blocked);
    }

    /** A blocked filter's bits for hash {@code h} within its word: {@link #BLOCKED_HASHES} 6-bit fields of the hash's top 36 bits. */
    private static long blockMask(long h) {
        return 1L << (h >>> 28) | 1L << (h >>> 34) | 1L << (h >>> 40) | 1L << (h >>> 46) | 1L << (h >>> 52)
                | 1L << (h >>> 58); // a shift by a long takes its low 6 bits
    }

    static long mix(long high, long low) {
        long h = high * 0x9E3779B97F4A7C15L ^ low;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
