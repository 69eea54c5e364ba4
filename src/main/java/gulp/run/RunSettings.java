package gulp.run;

import gulp.format.PcapRecordHeader;

import gulp.capture.LiveSource;
import gulp.capture.NetInterface;
import gulp.decap.DecapConfig;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.Terminal;
import gulp.pipeline.RoleRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of a run that is derived from the options, concluded once, before anything is
 * opened ({@link #conclude}, as Aeron's {@code MediaDriver.Context.conclude()} validates and
 * derives a driver's settings in one method). The assembly of the run reads these and the
 * options; it derives nothing itself.
 *
 * @param options           the options as given (not changed by the run)
 * @param interfaceName     the interface a live capture reads (the default one when none was
 *                          given; several joined by '+'; the output lock is named after it, '+' as '_'), else null
 * @param interfaces        the interfaces a live capture reads, in the order given (empty otherwise)
 * @param kernelSnaplen     what the kernel keeps of each packet: {@code -s}, or with {@code -d}
 *                          the largest (then {@code -s} applies to the inner frame)
 * @param kernelBufferBytes the kernel ring of a live capture: {@code -B}, or 256 MiB, or an eighth
 *                          of the available memory when that is less (at least 16 MiB)
 * @param availableMemory   MemAvailable of /proc/meminfo at start-up (read once: the ring's check and the
 *                          kernel buffer use it), -1 if unknown
 * @param decap             what {@code -d} decapsulates, or null without it
 * @param rotateBytes       with {@code -o}, the size a file is cut at (the smaller of
 *                          {@code --rotate-size} and {@code -C} ring sizes; {@code -C 10}, the
 *                          original's default, when no rotation option is given), 0 for none
 * @param threads           the CPU and priority of each thread (live capture: reader and writer on
 *                          the last two allowed CPUs, the reader at a raised priority)
 */
public record RunSettings(Options options, String interfaceName, List<String> interfaces, int kernelSnaplen, long kernelBufferBytes,
                          long availableMemory,
                          DecapConfig decap, long rotateBytes, RoleRunner.Plan threads) {
    /** With -o and no other rotation option, a new file after 10 ring sizes, as in the original. */
    static final long DEFAULT_RING_MULTIPLES = 10;

    /**
     * Validates what the parser could not (the environment, option values that need the library
     * that reads them) and derives every setting.
     *
     * @throws SetupException with the one line to show
     */
    static RunSettings conclude(Options options) throws SetupException {
        if (options.outputDirectory == null && Terminal.isTerminal(1) && !options.opaqueCopy) {
            throw new SetupException(Outcome.Status.BAD_USAGE, "refusing to write binary pcap data to a terminal;"
                    + " redirect it to a file, or pipe it into 'tcpdump -r -'");
        }
        boolean live = options.mode() == Options.Mode.LIVE;
        List<String> interfaces = live ? liveInterfaces(options) : List.of();
        DecapConfig decap = options.decapsulate ? decapConfig(options) : null;
        long available = readAvailableMemory();
        return new RunSettings(options, live ? String.join("+", interfaces) : null, interfaces,
                options.decapsulate ? PcapRecordHeader.MAX_CAPLEN : options.snaplen,
                live ? kernelBuffer(options, available) : 0, available,
                decap, rotateBytes(options),
                live ? liveThreads(options) : RoleRunner.Plan.AS_STARTED);
    }

    private static List<String> liveInterfaces(Options options) throws SetupException {
        if (!options.interfaces.isEmpty()) {
            return List.copyOf(options.interfaces);
        }
        String name = NetInterface.defaultName();
        if (name == null) {
            throw new SetupException(Outcome.Status.BAD_INPUT, "no interface given and none is up besides loopback;"
                    + " name one with -i IFACE (interfaces: " + String.join(", ", NetInterface.names()) + ")");
        }
        return List.of(name);
    }

    /** What {@code -d} decapsulates, from {@code --decap}, {@code --vni} and the like. */
    private static DecapConfig decapConfig(Options options) throws SetupException {
        try {
            DecapConfig.Builder builder = DecapConfig.builder()
                    .vxlanPort(options.vxlanPort)
                    .genevePort(options.genevePort)
                    .keepOther(options.keepOther)
                    .useErspanHardwareTime(options.erspanTime);
            if (options.decapKinds != null) {
                builder.kinds(DecapConfig.parseKinds(options.decapKinds));
            }
            if (options.erspanSessions != null) {
                builder.erspanSessions(DecapConfig.parseErspanSessions(options.erspanSessions));
            }
            if (options.vnis != null) {
                builder.vnis(DecapConfig.parseVnis(options.vnis));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new SetupException(Outcome.Status.BAD_USAGE, e.getMessage());
        }
    }

    /** 256 MiB, or an eighth of the available memory when that is less (at least 16 MiB). */
    private static long kernelBuffer(Options options, long availableMemory) {
        if (options.kernelBufferMiB > 0) {
            return options.kernelBufferMiB << 20;
        }
        long available = availableMemory - options.ringBytes();
        if (available <= 0) {
            return LiveSource.MIN_KERNEL_BUFFER;
        }
        long share = Math.max(LiveSource.MIN_KERNEL_BUFFER, available / 8);
        return Math.min(LiveSource.DEFAULT_KERNEL_BUFFER, share) / LiveSource.DEFAULT_BLOCK_SIZE * LiveSource.DEFAULT_BLOCK_SIZE;
    }

    private static long rotateBytes(Options options) {
        if (options.outputDirectory == null || options.opaqueCopy) {
            return 0;
        }
        long maxBytes = options.rotateBytes;
        long ringMultiples = options.rotateRingMultiples;
        if (ringMultiples == 0 && maxBytes == 0 && options.rotatePackets == 0 && options.rotateSeconds == 0) {
            ringMultiples = DEFAULT_RING_MULTIPLES; // the original's default: -C 10
        }
        if (ringMultiples > 0) {
            long ringMultiple = ringMultiples * options.ringBytes();
            maxBytes = maxBytes > 0 ? Math.min(maxBytes, ringMultiple) : ringMultiple;
        }
        return maxBytes;
    }

    /**
     * Reader and writer on different CPUs of the set this process may use (the last two, as
     * CPU 0 usually carries more interrupts), unless given; nothing pinned with one CPU.
     */
    private static RoleRunner.Plan liveThreads(Options options) {
        int[] allowed;
        try {
            allowed = Libc.current().allowedCpus();
        } catch (NativeException e) {
            allowed = new int[0];
        }
        int readerCpu = options.readerCpu;
        int writerCpu = options.writerCpu;
        if (allowed.length >= 2) {
            if (readerCpu < 0) {
                readerCpu = allowed[allowed.length - 1] == writerCpu ? allowed[allowed.length - 2] : allowed[allowed.length - 1];
            }
            if (writerCpu < 0) {
                writerCpu = allowed[allowed.length - 1] == readerCpu ? allowed[allowed.length - 2] : allowed[allowed.length - 1];
            }
        }
        return new RoleRunner.Plan(readerCpu, writerCpu, true, options.realtimeReader);
    }

    /** MemAvailable from /proc/meminfo, or -1 if unknown. */
    private static long readAvailableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
