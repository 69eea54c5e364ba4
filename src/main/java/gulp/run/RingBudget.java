package gulp.run;

import gulp.capture.LiveSource;

import java.util.Locale;

/**
 * The memory that absorbs a stall of the output in a live capture: gulp's ring ({@code -r}) and
 * the kernel ring ({@code -B}), which by default fills behind a full gulp ring (kernel blocks are
 * held). Pure functions of the options and of MemAvailable, so a test can give any machine's.
 *
 * <p>Why these defaults (BENCHMARKS.md §3.3, the paced row and "Rings sized from memory"): on the test VM a disk that writes about
 * 330 MB/s with O_DIRECT stalls for 0.4-0.9 s at each file's fsync and now and then for longer;
 * at 300 MB/s offered the fixed 100 MiB ring of the original (356 MiB with the kernel ring) lost
 * 13-19 % of a paced run in mode B, where netsniff-ng's 2.3 GiB ring lost nothing. So a live
 * capture's ring defaults to an eighth of MemAvailable, at most {@link #MAX_DEFAULT_RING} (with
 * the kernel ring the memory netsniff-ng gave itself there, 2.3 GiB; a later run on a faster disk
 * lost nothing at any size, so the cap is that like-for-like choice, not a measured knee; beyond
 * it a stall of many seconds means the disk is slower than the traffic, which no buffer fixes)
 * and at least the original's 100 MiB unless that
 * is more than a quarter of MemAvailable (a 1-2 GiB box keeps today's rings, a tiny one gets
 * less). The kernel ring then takes an eighth of what is left, at most 256 MiB, so the two
 * together never take more than about a quarter of MemAvailable. With {@code --fanout N} this is
 * the whole process's budget, divided among the pairs. Reading files, stdin, an extraction or a
 * Kafka topic never loses anything by waiting, so those keep the 100 MiB ring.
 */
final class RingBudget {
    /** The original's ring, kept where the ring only smooths the writes (and as {@code -C}'s unit without {@code -r}). */
    static final long NOMINAL_RING = Options.DEFAULT_RING_MIB << 20;
    /** The largest default ring of a live capture (more only with {@code -r}). */
    static final long MAX_DEFAULT_RING = 2048L << 20;
    /** The smallest ring chosen on a tiny machine (it still holds the largest record). */
    static final long MIN_DEFAULT_RING = 16L << 20;
    /** The rate a stall is stated at when the link's speed is unknown: 1 Gb/s. */
    static final long FALLBACK_BITS_PER_SECOND = 1_000_000_000L;

    private RingBudget() {
    }

    /**
     * gulp's ring: {@code -r} when given; for a live capture without it, an eighth of
     * {@code availableMemory} within [min(100 MiB, a quarter of it), 2 GiB] (whole MiB); else 100 MiB.
     */
    static long ringBytes(Options options, boolean live, long availableMemory) {
        if (options.ringGiven || !live) {
            return options.ringBytes();
        }
        return defaultLiveRing(availableMemory);
    }

    /** The default ring of a live capture for a machine with {@code availableMemory} (-1: unknown, 100 MiB). */
    static long defaultLiveRing(long availableMemory) {
        if (availableMemory <= 0) {
            return NOMINAL_RING;
        }
        long floor = Math.min(NOMINAL_RING, availableMemory / 4);
        long ring = Math.min(MAX_DEFAULT_RING, Math.max(floor, availableMemory / 8));
        return Math.max(MIN_DEFAULT_RING, ring >> 20 << 20);
    }

    /**
     * The kernel ring of each interface: {@code -B}, or 256 MiB, or an eighth of what the ring
     * leaves of {@code availableMemory} when that is less (at least 16 MiB), in whole blocks.
     */
    static long kernelBuffer(Options options, long availableMemory, long ringBytes) {
        if (options.kernelBufferMiB > 0) {
            return options.kernelBufferMiB << 20;
        }
        long available = availableMemory - ringBytes;
        if (available <= 0) {
            return LiveSource.MIN_KERNEL_BUFFER;
        }
        long share = Math.max(LiveSource.MIN_KERNEL_BUFFER, available / 8);
        return Math.min(LiveSource.DEFAULT_KERNEL_BUFFER, share) / LiveSource.DEFAULT_BLOCK_SIZE * LiveSource.DEFAULT_BLOCK_SIZE;
    }

    /**
     * For the start-up line: the memory that absorbs an output stall, and how long a stall that is
     * at {@code bitsPerSecond} of traffic (the links' speed; 1 Gb/s when unknown, 0 or less).
     * With kernel blocks held (the default) both rings; without, gulp's ring only.
     */
    static String describe(boolean holdKernelBlocks, long kernelBuffer, long ringBytes, long bitsPerSecond) {
        long rate = bitsPerSecond > 0 ? bitsPerSecond : FALLBACK_BITS_PER_SECOND;
        String at = String.format(Locale.ROOT, "%s s at %s", seconds((holdKernelBlocks ? kernelBuffer + ringBytes : ringBytes) * 8.0 / rate),
                gigabits(rate)) + (bitsPerSecond > 0 ? " (the link's speed)" : "");
        if (!holdKernelBlocks) {
            return "an output stall is absorbed by the " + (ringBytes >> 20) + " MiB ring only (--no-hold-kernel-blocks): "
                    + at;
        }
        return "an output stall is absorbed by " + ((kernelBuffer + ringBytes) >> 20) + " MiB (kernel ring "
                + (kernelBuffer >> 20) + " + ring " + (ringBytes >> 20) + "): " + at;
    }

    private static String seconds(double s) {
        return s >= 10 ? String.format(Locale.ROOT, "%.0f", s) : s >= 1 ? String.format(Locale.ROOT, "%.1f", s)
                : String.format(Locale.ROOT, "%.2f", s);
    }

    private static String gigabits(long bitsPerSecond) {
        double g = bitsPerSecond / 1e9;
        return (g == Math.rint(g) ? String.format(Locale.ROOT, "%.0f", g) : String.format(Locale.ROOT, "%.1f", g)) + " Gb/s";
    }
}
