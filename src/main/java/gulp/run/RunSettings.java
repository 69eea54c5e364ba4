package gulp.run;

import gulp.format.PcapRecordHeader;

import gulp.capture.NetInterface;
import gulp.capture.ReceiveCpus;
import gulp.decap.DecapConfig;
import gulp.kafka.KafkaTimeouts;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.Terminal;
import gulp.pipeline.RoleRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param kernelBufferBytes the kernel ring of each interface of a live capture: {@code -B}, or
 *                          256 MiB, or an eighth of what the ring leaves of the available memory
 *                          when that is less (at least 16 MiB; {@link RingBudget#kernelBuffer})
 * @param ringBytes         gulp's ring ({@code -r}; without it, for a live capture a share of the
 *                          available memory, else 100 MiB: {@link RingBudget#ringBytes}); with
 *                          {@code --fanout} the whole process's, divided among the pairs
 * @param availableMemory   MemAvailable of /proc/meminfo at start-up (read once: the ring's check and the
 *                          kernel buffer use it), -1 if unknown
 * @param decap             what {@code -d} decapsulates, or null without it
 * @param rotateBytes       with {@code -o}, the size a file is cut at (the smaller of
 *                          {@code --rotate-size} and {@code -C} ring sizes; {@code -C 10}, the
 *                          original's default, when no rotation option is given), 0 for none
 * @param threads           the CPU and priority of each thread (live capture: {@link LivePlacement},
 *                          the reader at a raised priority)
 * @param threadsNote       for the start-up line after the plan (with {@code --fanout}, the pairs'): which CPUs
 *                          it avoids and why, or empty
 * @param helperCpu         the CPU of a live capture's ring fault-in thread ({@link LivePlacement#helperCpu}), or -1
 * @param pairThreads       with {@code --fanout N} (N &gt; 1), each pair's plan ({@link #fanoutThreads});
 *                          else empty
 * @param allowedCpuCount   how many CPUs a live capture may run on (sched_getaffinity, read once here for the
 *                          placement, kept for {@code --fanout}'s start-up line), 0 if unknown or not live
 * @param directIo          output files (and a stdout that is a regular file) written with O_DIRECT:
 *                          {@code --direct-io}/{@code --buffered-io}, else yes but for {@code gulp extract}
 * @param kafkaTimeout      how long gulp waits for a Kafka broker ({@code --kafka-timeout}): {@code --kafka}'s
 *                          sink for the last deliveries when the run ends (10 s), kafka-consume for the topic,
 *                          the committed offsets and each commit (30 s)
 */
public record RunSettings(Options options, String interfaceName, List<String> interfaces, int kernelSnaplen, long kernelBufferBytes,
                          long ringBytes, long availableMemory,
                          DecapConfig decap, long rotateBytes, RoleRunner.Plan threads, String threadsNote, int helperCpu,
                          List<RoleRunner.Plan> pairThreads, int allowedCpuCount,
                          boolean directIo, Duration kafkaTimeout) {
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
        if (options.fanout > 1) {
            checkFanout(options, interfaces);
        }
        long ring = RingBudget.ringBytes(options, live, available);
        int[] allowed = live ? allowedCpus() : new int[0];
        // --fanout places its pairs itself (fanoutThreads), on the CPUs free of receive work first
        boolean fanout = live && options.fanout > 1;
        LivePlacement placement = !live ? new LivePlacement(RoleRunner.Plan.AS_STARTED, "", -1)
                : fanout ? new LivePlacement(new RoleRunner.Plan(-1, -1, true, options.realtimeReader), "", -1)
                : LivePlacement.of(options, interfaces, allowed);
        LivePlacement.Order pairOrder = fanout ? LivePlacement.freeLast(interfaces, allowed, ReceiveCpus::of) : null;
        return new RunSettings(options, live ? String.join("+", interfaces) : null, interfaces,
                options.decapsulate ? PcapRecordHeader.MAX_CAPLEN : options.snaplen,
                live ? RingBudget.kernelBuffer(options, available, ring) : 0, ring, available,
                decap, rotateBytes(options),
                placement.plan(), fanout ? pairOrder.note() : placement.note(), placement.helperCpu(),
                fanout ? fanoutThreads(options.fanout, pairOrder.cpus(), options.realtimeReader) : List.of(),
                allowed.length, directIo(options), kafkaTimeout(options));
    }

    private static Duration kafkaTimeout(Options options) {
        if (options.kafkaTimeoutSeconds > 0) {
            return Duration.ofNanos((long) (options.kafkaTimeoutSeconds * 1e9));
        }
        return options.kafkaConsumeBootstrap != null ? KafkaTimeouts.CONSUME : KafkaTimeouts.SINK_CLOSE;
    }

    /**
     * O_DIRECT unless {@code --buffered-io}; {@code gulp extract} writes buffered unless {@code --direct-io}:
     * O_DIRECT keeps a live capture ahead of the page cache's write-back, while an extraction loses
     * nothing by waiting for its output, and what it writes is read next (Wireshark, tcpdump).
     */
    private static boolean directIo(Options options) {
        return options.directIo != null ? options.directIo : options.mode() != Options.Mode.EXTRACT;
    }

    /** What {@code --fanout N} (N &gt; 1) cannot do: one line for each, before anything is opened. */
    private static void checkFanout(Options options, List<String> interfaces) throws SetupException {
        String refusal = null;
        if (options.mode() != Options.Mode.LIVE) {
            refusal = "--fanout needs live capture from one interface (-i IFACE)";
        } else if (interfaces.size() > 1 || interfaces.getFirst().equals("any")) {
            refusal = "--fanout spreads one interface over several sockets: give one -i IFACE (not several, nor any)";
        } else if (options.kafkaBootstrap != null) {
            refusal = "--fanout with --kafka is not supported: the pairs write file sets (-o DIR);"
                    + " to publish one interface from several cores, run one gulp --kafka per queue";
        } else if (options.outputDirectory == null) {
            refusal = "--fanout " + options.fanout + " writes one file set per pair: give -o DIR"
                    + " (the pairs are not merged into one stream on stdout)";
        } else if (options.readerCpu >= 0 || options.writerCpu >= 0) {
            refusal = "--reader-cpu and --writer-cpu place one pair; with --fanout the pairs go on the allowed CPUs"
                    + " (choose them with taskset -c LIST)";
        } else if (options.countLimit > 0) {
            refusal = "--count with --fanout: each pair would stop at its own count; use --duration";
        } else if (options.nameTemplate != null && !options.nameTemplate.contains("%{name}")) {
            refusal = "--name-template with --fanout needs %{name} (it carries each pair's part, PREFIX-pK)";
        }
        if (refusal != null) {
            throw new SetupException(Outcome.Status.BAD_USAGE, refusal);
        }
    }

    /**
     * The CPUs of {@code --fanout}'s {@code pairs} pairs, from the end of {@code allowed} (CPU 0
     * usually carries more interrupts): with two CPUs for each pair, reader and writer of a pair
     * on CPUs of their own; otherwise each pair's reader and writer share one CPU (their ring
     * stays in that CPU's caches), the pairs spread over the CPUs in turn (several pairs on one CPU
     * when there are more pairs than CPUs). Nothing pinned when the allowed set is unknown.
     */
    static List<RoleRunner.Plan> fanoutThreads(int pairs, int[] allowed, boolean fifo) {
        List<RoleRunner.Plan> plans = new java.util.ArrayList<>();
        int n = allowed.length;
        for (int k = 0; k < pairs; k++) {
            if (n == 0) {
                plans.add(new RoleRunner.Plan(-1, -1, true, fifo));
            } else if (n >= 2 * pairs) {
                plans.add(new RoleRunner.Plan(allowed[n - 1 - 2 * k], allowed[n - 2 - 2 * k], true, fifo));
            } else {
                int cpu = allowed[n - 1 - k % n];
                plans.add(new RoleRunner.Plan(cpu, cpu, true, fifo));
            }
        }
        return List.copyOf(plans);
    }

    /** For the start-up line: how the pairs were placed. */
    static String describePlacement(List<RoleRunner.Plan> plans, int allowedCount) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < plans.size(); k++) {
            RoleRunner.Plan plan = plans.get(k);
            b.append(k == 0 ? "" : ", ").append("pair ").append(k).append(": ");
            b.append(plan.readerCpu() >= 0 && plan.readerCpu() == plan.writerCpu() ? "reader and writer on cpu " + plan.readerCpu()
                    : plan.describe());
        }
        if (allowedCount > 0 && allowedCount < 2 * plans.size()) {
            b.append(" (").append(allowedCount).append(" CPUs allowed, fewer than two a pair: each pair's reader and"
                    + " writer share a CPU)");
        }
        return b.toString();
    }

    private static int[] allowedCpus() {
        try {
            return Libc.current().allowedCpus();
        } catch (NativeException e) {
            return new int[0];
        }
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
            // -r as given, else the original's 100 MiB: a live capture's larger default ring does
            // not make the files larger.
            long ringMultiple = ringMultiples * options.ringBytes();
            maxBytes = maxBytes > 0 ? Math.min(maxBytes, ringMultiple) : ringMultiple;
        }
        return maxBytes;
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
