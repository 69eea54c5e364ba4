package gulp.cli;

import gulp.capture.Direction;
import gulp.cli.OptionSpec.Action;
import gulp.cli.OptionSpec.Completion;
import gulp.cli.OptionSpec.Section;
import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.metrics.MetricsAddress;
import gulp.output.FsyncPolicy;
import gulp.output.OutputException;
import gulp.run.Options;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static gulp.cli.OptionParser.number;
import static gulp.cli.OptionParser.seconds;
import static gulp.cli.OptionParser.size;
import static gulp.cli.OptionSpec.Section.EXTRACT;
import static gulp.cli.OptionSpec.Section.INPUT;
import static gulp.cli.OptionSpec.Section.KAFKA;
import static gulp.cli.OptionSpec.Section.OUTPUT;
import static gulp.cli.OptionSpec.Section.REMOTE;
import static gulp.cli.OptionSpec.Section.RING;
import static gulp.cli.OptionSpec.Section.RUN;
import static gulp.cli.OptionSpec.Section.SERVICE;
import static gulp.cli.OptionSpec.Section.WATCH;
import static gulp.run.Options.MAX_BLOCK_SIZE;

/**
 * Every option of gulp, once: the parser ({@link OptionParser}), {@code --help} ({@link Usage}),
 * the man page ({@link ManPage}) and the bash completion ({@link BashCompletion}) are made from this
 * list, in this order. Adding an option is one entry here (plus its field in {@link Options}):
 * {@code option(short, long, ARG, section, completion, help, (o, v) -> ...)} or
 * {@code flag(short, long, section, help, o -> ...)}; {@code '\0'} or null for a missing name.
 */
final class OptionTable {
    static final List<OptionSpec> ALL = build();

    private OptionTable() {
    }

    private static List<OptionSpec> build() {
        List<OptionSpec> t = new ArrayList<>();

        // Input
        t.add(option('i', "interface", "IFACE", INPUT, Completion.INTERFACE,
                "capture live from IFACE (default: $CAP_IFACE, else the first up, non-loopback interface);"
                        + " repeat it or give a list (-i eth1,eth2) to capture several into one output;"
                        + " -i any: every interface, one cooked socket (Linux cooked v2, 276);"
                        + " -i - reads a capture stream (pcap or pcapng) from stdin", OptionParser::addInterfaces));
        t.add(flag('D', "list-interfaces", INPUT, "list the interfaces gulp can capture on, and exit",
                o -> o.listInterfaces = true));
        t.add(option('\0', "read", "FILE", INPUT, Completion.FILE,
                "read a capture file (repeat for several files, read in order)", (o, v) -> o.readFiles.add(v)));
        t.add(flag('c', "copy", INPUT, "copy arbitrary bytes from stdin to stdout through the ring",
                o -> o.opaqueCopy = true));
        t.add(option('f', "filter", "EXPR", INPUT, Completion.NONE, "tcpdump-language filter (needs libpcap)",
                (o, v) -> o.filter = v));
        t.add(option('s', "snaplen", "N", INPUT, Completion.NONE,
                "snap length: keep at most N bytes per packet (default 262144; 0 means the default)", (o, v) -> {
                    long s = number("-s", v, 0, PcapRecordHeader.MAX_CAPLEN);
                    o.snaplen = s == 0 ? PcapFileHeader.DEFAULT_SNAPLEN : (int) s;
                }));
        t.add(flag('F', null, INPUT, "do not insist on Ethernet input (tun, ipip, ... as raw IP)",
                o -> o.skipEthernetCheck = true));
        t.add(option('Q', "direction", "DIR", INPUT, Completion.words("in", "out", "inout"),
                "in, out or inout (default; on loopback each packet once)", (o, v) -> {
                    try {
                        o.direction = Direction.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }));
        t.add(flag('\0', "no-promisc", INPUT, "do not put the interface into promiscuous mode",
                o -> o.promiscuous = false));
        t.add(option('B', "kernel-buffer", "MIB", INPUT, Completion.NONE,
                "kernel ring size in MiB (default 256, or 1/8 of available memory if less)",
                (o, v) -> o.kernelBufferMiB = number("-B", v, 1, 1L << 20)));
        t.add(option('\0', "reader-cpu", "N", INPUT, Completion.NONE, "pin the reader thread to CPU N",
                (o, v) -> o.readerCpu = (int) number("--reader-cpu", v, 0, 65535)));
        t.add(option('\0', "writer-cpu", "N", INPUT, Completion.NONE, "pin the writer thread to CPU N",
                (o, v) -> o.writerCpu = (int) number("--writer-cpu", v, 0, 65535)));
        t.add(flag('\0', "fifo", INPUT, "run the reader with SCHED_FIFO", o -> o.realtimeReader = true));
        t.add(flag('\0', "no-hold-kernel-blocks", INPUT, "when the ring is full, drop packets instead of leaving"
                + " them in the kernel ring (by default it buffers too: -B plus -r absorb an output stall)",
                o -> o.holdKernelBlocks = false));
        t.add(flag('\0', "hold-kernel-blocks", INPUT, "leave kernel blocks in the kernel ring while the ring is"
                + " full (the default)", o -> o.holdKernelBlocks = true));

        // Several cores (--fanout)
        t.add(option('\0', "fanout", "N", INPUT, Completion.NONE,
                "capture with N reader/writer pairs, one packet socket each in one fanout group, each pair"
                        + " on its own CPUs and writing its own files (-o DIR: PREFIX-pK-...); -r and -B are split"
                        + " between them (default 1, at most " + Options.MAX_FANOUT + ")",
                (o, v) -> o.fanout = (int) number("--fanout", v, 1, Options.MAX_FANOUT)));
        t.add(option('\0', "fanout-mode", "MODE", INPUT, Completion.words(gulp.run.FanoutMode.names()),
                "how the kernel spreads packets over the pairs: hash (default: by flow, with rollover and"
                        + " defragmentation), lb, cpu, rollover or qm", (o, v) -> {
                    try {
                        o.fanoutMode = gulp.run.FanoutMode.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }));

        // Remote capture
        t.add(flag('d', "decapsulate", REMOTE, "decapsulate ERSPAN I/II/III, GRE, VXLAN and Geneve, carried in"
                + " Ethernet, Linux cooked (SLL, SLL2) or raw IP packets", o -> o.decapsulate = true));
        t.add(option('\0', "decap", "KINDS", REMOTE, Completion.words("erspan", "gre", "vxlan", "geneve"),
                "decapsulate only these, comma separated: erspan,gre,vxlan,geneve (implies -d)",
                (o, v) -> { o.decapsulate = true; o.decapKinds = v; }));
        t.add(option('\0', "vxlan-port", "N", REMOTE, Completion.NONE, "VXLAN UDP port (default 4789)",
                (o, v) -> o.vxlanPort = (int) number("--vxlan-port", v, 1, 65535)));
        t.add(option('\0', "geneve-port", "N", REMOTE, Completion.NONE, "Geneve UDP port (default 6081)",
                (o, v) -> o.genevePort = (int) number("--geneve-port", v, 1, 65535)));
        t.add(flag('\0', "keep-other", REMOTE, "write packets that are not encapsulated unchanged",
                o -> o.keepOther = true));
        t.add(option('\0', "erspan-session", "IDS", REMOTE, Completion.NONE,
                "keep only these ERSPAN sessions (comma separated)", (o, v) -> o.erspanSessions = v));
        t.add(option('\0', "vni", "IDS", REMOTE, Completion.NONE, "keep only these VXLAN/Geneve VNIs (comma separated)",
                (o, v) -> o.vnis = v));
        t.add(flag('\0', "erspan-time", REMOTE, "use the ERSPAN type III timestamp as packet time",
                o -> o.erspanTime = true));

        // Ring and writer
        t.add(option('r', "ring", "MIB", RING, Completion.NONE, "ring buffer size in MiB (default: live capture an eighth of"
                + " available memory, 100 to 2048; otherwise 100)", (o, v) -> {
                    o.ringMiB = number("-r", v, 1, 1L << 30);
                    o.ringGiven = true;
                }));
        t.add(option('z', "block-size", "BYTES", RING, Completion.NONE,
                "write block size, a power of two up to 64 MiB (default 1 MiB, 4 MiB for O_DIRECT files)", (o, v) -> {
                    long z = number("-z", v, 1, MAX_BLOCK_SIZE);
                    if (Long.bitCount(z) != 1) {
                        throw new UsageException("-z must be a power of two up to " + MAX_BLOCK_SIZE + ", not " + v);
                    }
                    o.blockSize = (int) z;
                    o.blockSizeGiven = true;
                }));
        t.add(option('p', "poll-micros", "MICROS", RING, Completion.NONE,
                "longest sleep of a reader waiting for ring space, in microseconds (default 1000)",
                (o, v) -> o.parkMicros = number("-p", v, 0, 1_000_000)));
        t.add(flag('\0', "nano", RING, "write nanosecond pcap (default: microseconds)", o -> o.nanosecond = true));

        // Output files
        t.add(option('o', "output-dir", "DIR", OUTPUT, Completion.DIRECTORY,
                "write rotating files into DIR instead of stdout", (o, v) -> o.outputDirectory = v));
        t.add(option('n', "name", "NAME", OUTPUT, Completion.NONE, "file name prefix (default pcap)",
                (o, v) -> o.namePrefix = v));
        t.add(flag('t', null, OUTPUT, "time stamp in file names", o -> o.timestampNames = true));
        t.add(option('C', null, "N", OUTPUT, Completion.NONE, "new file after N ring sizes of data (-o alone: -C 10)",
                (o, v) -> o.rotateRingMultiples = number("-C", v, 1, Long.MAX_VALUE >> 32)));
        t.add(option('G', null, "SECS", OUTPUT, Completion.NONE, "new file every SECS seconds, on clock boundaries",
                (o, v) -> o.rotateSeconds = number("-G", v, 1, 1L << 32)));
        t.add(option('W', null, "N", OUTPUT, Completion.NONE, "keep at most N files",
                (o, v) -> o.maxFiles = number("-W", v, 1, Integer.MAX_VALUE)));
        t.add(option('Z', null, "CMD", OUTPUT, Completion.COMMAND,
                "run CMD FILE after each file is finished (in DIR, environment: PATH HOME LANG TZ LC_*)",
                (o, v) -> o.postRotateCommand = v));
        t.add(flag('x', null, OUTPUT, "exclusive instance (per source and output directory: DIR/.gulp-SOURCE.lock)",
                o -> o.exclusiveLock = true));
        t.add(flag('X', null, OUTPUT, "start despite the instance lock", o -> o.ignoreLock = true));
        t.add(option('\0', "rotate-size", "SIZE", OUTPUT, Completion.NONE,
                "new file before it would exceed SIZE (e.g. 500M, 2G)", (o, v) -> o.rotateBytes = size("--rotate-size", v)));
        t.add(option('\0', "rotate-packets", "N", OUTPUT, Completion.NONE, "new file after N packets",
                (o, v) -> o.rotatePackets = number("--rotate-packets", v, 1, Long.MAX_VALUE)));
        t.add(option('\0', "rotate-seconds", "S", OUTPUT, Completion.NONE, "same as -G",
                (o, v) -> o.rotateSeconds = number("--rotate-seconds", v, 1, 1L << 32)));
        t.add(flag('\0', "rotate-by-packet-time", OUTPUT, "-G intervals follow packet time stamps (for --read)",
                o -> o.rotateByPacketTime = true));
        t.add(option('\0', "max-files", "N", OUTPUT, Completion.NONE, "same as -W: delete this run's oldest files beyond N",
                (o, v) -> o.maxFiles = number("--max-files", v, 1, Integer.MAX_VALUE)));
        t.add(option('\0', "max-total", "SIZE", OUTPUT, Completion.NONE,
                "delete this run's oldest files to stay within SIZE", (o, v) -> o.maxTotalBytes = size("--max-total", v)));
        t.add(option('\0', "min-free", "SIZE|PCT%", OUTPUT, Completion.NONE,
                "delete this run's oldest files to keep SIZE (or PCT% of the file system) free", OptionParser::parseMinFree));
        t.add(option('\0', "name-template", "T", OUTPUT, Completion.NONE,
                "file names, strftime-style in UTC with %L (ms), %{seq}, %{name}; e.g. '%Y%m%d-%H%M%S-%{seq}'",
                (o, v) -> o.nameTemplate = v));
        t.add(option('\0', "file-mode", "MODE", OUTPUT, Completion.NONE, "permissions of output files (default 0640)",
                (o, v) -> {
                    try {
                        o.fileMode = Integer.parseInt(v, 8);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--file-mode takes an octal mode such as 0640, not " + v);
                    }
                    if (o.fileMode < 0 || o.fileMode > 07777) {
                        throw new UsageException("--file-mode takes an octal mode such as 0640, not " + v);
                    }
                }));
        t.add(option('\0', "fsync", "WHEN", OUTPUT, Completion.words("never", "file", "always"),
                "never | file (default: each finished file) | always", (o, v) -> {
                    try {
                        o.fsync = FsyncPolicy.parse(v);
                    } catch (OutputException e) {
                        throw new UsageException(e.getMessage());
                    }
                }));
        t.add(flag('\0', "buffered-io", OUTPUT, "write through the page cache; by default -o files and a stdout"
                + " that is a regular file use O_DIRECT (gulp extract: buffered unless --direct-io)", o -> {
                    o.directIo = false;
                }));
        t.add(flag('\0', "direct-io", OUTPUT, "write with O_DIRECT (the default; gulp extract writes buffered unless given this)", o -> {
                    o.directIo = true;
                }));

        t.add(option('\0', "format", "FMT", OUTPUT, Completion.words("pcap", "pcapng"),
                "pcap (default) or pcapng: interfaces, filter, drop statistics and packet direction in every file,"
                        + " nanoseconds", (o, v) -> {
                    switch (v) {
                        case "pcap" -> o.pcapng = false;
                        case "pcapng" -> o.pcapng = true;
                        default -> throw new UsageException("--format takes pcap or pcapng, not " + v);
                    }
                }));
        t.add(flag('\0', "no-index", OUTPUT, "keep no NAME.idx beside each file (the extraction index)",
                o -> o.writeIndex = false));

        // Getting packets back: gulp extract / gulp index only (OptionParser refuses them elsewhere)
        t.add(option('\0', "from", "TIME", EXTRACT, Completion.NONE, "first time included (default: the oldest"
                + " packet); TIME: 2026-12-01T10:02:00[.5][Z|+01:00], 10:02 (today), epoch seconds 1764583320.5,"
                + " now, -15m, -2h, -30s, -1d", (o, v) -> o.extractFrom = ExtractCommand.time("--from", v)));
        t.add(option('\0', "to", "TIME", EXTRACT, Completion.NONE,
                "first time excluded (default: after the newest packet)",
                (o, v) -> o.extractTo = ExtractCommand.time("--to", v)));
        t.add(flag('\0', "list", EXTRACT, "print the files that cover the window (times, packets, bytes) and warn"
                + " of gaps over 60 s with no file", o -> o.extractList = true));

        // Sending to Kafka; --topic, --group, --reorder-window are kafka-consume's (KafkaCommand checks)
        t.add(option('\0', "kafka", "BOOTSTRAP", KAFKA, Completion.NONE, "publish packets to Kafka"
                + " (host:port[,host:port...]) as batches of pcapng packet blocks, one partition per flow",
                (o, v) -> o.kafkaBootstrap = v));
        t.add(option('\0', "kafka-topic", "T", KAFKA, Completion.NONE, "the topic (required with --kafka)",
                (o, v) -> o.kafkaTopic = v));
        t.add(option('\0', "kafka-client-id", "ID", KAFKA, Completion.NONE, "client.id (default gulp-HOSTNAME)",
                (o, v) -> o.kafkaClientId = v));
        t.add(option('\0', "kafka-option", "K=V", KAFKA, Completion.NONE, "any Kafka producer setting, over gulp's choices",
                (o, v) -> o.kafkaOptions.add(v)));
        t.add(option('\0', "kafka-timeout", "SECS", KAFKA, Completion.NONE, "how long gulp waits for the broker: --kafka"
                + " to deliver what is left when the run ends (default 10); kafka-consume for the topic, the committed"
                + " offsets and each commit (default 30)", (o, v) -> o.kafkaTimeoutSeconds = seconds("--kafka-timeout", v)));
        t.add(option('\0', "topic", "T", KAFKA, Completion.NONE, "kafka-consume: the topic to read",
                (o, v) -> o.consumeTopic = v));
        t.add(option('\0', "group", "G", KAFKA, Completion.NONE,
                "kafka-consume: consumer group for the committed offsets (default gulp-kafka-consume-T)",
                (o, v) -> o.consumeGroup = v));
        t.add(option('\0', "reorder-window", "MS", KAFKA, Completion.NONE,
                "kafka-consume: merge partitions in timestamp order within MS of packet time (default 1000)",
                (o, v) -> o.reorderWindowMillis = number("--reorder-window", v, 0, 3_600_000)));

        // Watching a capture
        t.add(option('\0', "metrics", "[ADDR:]PORT", WATCH, Completion.NONE,
                "Prometheus metrics at http://ADDR:PORT/metrics (default address 127.0.0.1;"
                        + " 0.0.0.0:PORT or [::]:PORT for all)", (o, v) -> {
                    try {
                        MetricsAddress.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    o.metricsAddress = v;
                }));
        t.add(option('\0', "stats-json", "FILE", WATCH, Completion.FILE,
                "the same figures as one JSON object per line twice a second and at the end,"
                        + " appended to FILE (- for stderr)", (o, v) -> {
                    if (v.isEmpty()) {
                        throw new UsageException("--stats-json takes a file name, or - for stderr");
                    }
                    o.statsJson = v;
                }));

        // Running as a service
        t.add(option('\0', "user", "NAME", SERVICE, Completion.USER,
                "after the socket, ring and output are open, become NAME (and its groups); files are NAME's;"
                        + " only CAP_SYS_NICE is kept, for the reader's priority. Live capture needs CAP_NET_RAW (or root)",
                (o, v) -> o.runUser = v));

        // Run control
        t.add(option('\0', "count", "N", RUN, Completion.NONE, "stop after N packets",
                (o, v) -> o.countLimit = number("--count", v, 1, Long.MAX_VALUE)));
        t.add(option('\0', "duration", "SECS", RUN, Completion.NONE, "stop after SECS seconds (decimals allowed)",
                (o, v) -> o.durationSeconds = seconds("--duration", v)));
        t.add(option('V', "status", "ARG", RUN, Completion.NONE,
                "status line on stderr twice a second (the argument is accepted for compatibility)", (o, v) -> {
                    if (v.startsWith("-")) {
                        throw new UsageException(v + " is suspicious as argument of -V");
                    }
                    o.statusArgument = v;
                }));
        t.add(flag('q', "quiet", RUN, "quiet: no start-up line or ring-full warnings", o -> o.quiet = true));
        t.add(flag('v', "version", RUN, "print the version and exit", o -> o.showVersion = true));
        t.add(flag('h', "help", RUN, "print this help and exit", o -> o.showHelp = true));

        return List.copyOf(t);
    }

    private static OptionSpec option(char shortName, String longName, String argument, Section section,
                                     Completion completion, String help, Action action) {
        return new OptionSpec(shortName, longName, argument, section, help, completion, action);
    }

    private static OptionSpec flag(char shortName, String longName, Section section, String help, Consumer<Options> action) {
        return new OptionSpec(shortName, longName, null, section, help, Completion.NONE, (o, v) -> action.accept(o));
    }
}
