package gulp.cli;

import gulp.format.PcapRecordHeader;

import gulp.format.PcapFileHeader;

import gulp.capture.Direction;
import gulp.output.FsyncPolicy;
import gulp.output.OutputException;
import gulp.run.Options;

import java.util.List;

import static gulp.run.Options.MAX_BLOCK_SIZE;

/**
 * Turns the command line into {@link Options}: each option's syntax and range, and the
 * combinations that make no sense. Short options are those of the original Gulp.
 */
public final class OptionParser {
    private OptionParser() {
    }

    public static Options parse(String[] args) throws UsageException {
        Options o = new Options();
        boolean consume = args.length > 0 && args[0].equals("kafka-consume"); // kafka: the sub-command
        if (consume) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        boolean[] directionGiven = new boolean[1];
        CommandLine cl = new CommandLine();
        cl.option('i', "interface", v -> o.interfaceName = v);
        cl.option('\0', "read", v -> o.readFiles.add(v));
        cl.flag('c', "copy", () -> o.opaqueCopy = true);
        cl.flag('F', null, () -> o.skipEthernetCheck = true);
        cl.option('f', "filter", v -> o.filter = v);
        cl.flag('\0', "no-promisc", () -> o.promiscuous = false);
        cl.option('s', "snaplen", v -> {
            long s = number("-s", v, 0, PcapRecordHeader.MAX_CAPLEN);
            o.snaplen = s == 0 ? PcapFileHeader.DEFAULT_SNAPLEN : (int) s;
        });
        cl.option('B', "kernel-buffer", v -> o.kernelBufferMiB = number("-B", v, 1, 1L << 20));
        cl.option('\0', "reader-cpu", v -> o.readerCpu = (int) number("--reader-cpu", v, 0, 65535));
        cl.option('\0', "writer-cpu", v -> o.writerCpu = (int) number("--writer-cpu", v, 0, 65535));
        cl.flag('\0', "fifo", () -> o.realtimeReader = true);
        cl.flag('\0', "hold-kernel-blocks", () -> o.holdKernelBlocks = true);
        cl.flag('\0', "no-hold-kernel-blocks", () -> o.holdKernelBlocks = false);
        cl.option('Q', "direction", v -> {
            try {
                o.direction = Direction.parse(v);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            directionGiven[0] = true;
        });

        cl.flag('d', "decapsulate", () -> o.decapsulate = true);
        cl.option('\0', "decap", v -> { o.decapsulate = true; o.decapKinds = v; });
        cl.option('\0', "vxlan-port", v -> o.vxlanPort = (int) number("--vxlan-port", v, 1, 65535));
        cl.option('\0', "geneve-port", v -> o.genevePort = (int) number("--geneve-port", v, 1, 65535));
        cl.flag('\0', "keep-other", () -> o.keepOther = true);
        cl.option('\0', "erspan-session", v -> o.erspanSessions = v);
        cl.option('\0', "vni", v -> o.vnis = v);
        cl.flag('\0', "erspan-time", () -> o.erspanTime = true);

        cl.option('r', "ring", v -> o.ringMiB = number("-r", v, 1, 1L << 30));
        cl.option('z', "block-size", v -> {
            long z = number("-z", v, 1, MAX_BLOCK_SIZE);
            if (Long.bitCount(z) != 1) {
                throw new UsageException("-z must be a power of two up to " + MAX_BLOCK_SIZE + ", not " + v);
            }
            o.blockSize = (int) z;
        });
        cl.option('p', "poll-micros", v -> o.parkMicros = number("-p", v, 0, 1_000_000));
        cl.flag('\0', "nano", () -> o.nanosecond = true);

        cl.option('o', "output-dir", v -> o.outputDirectory = v);
        cl.option('n', "name", v -> o.namePrefix = v);
        cl.flag('t', null, () -> o.timestampNames = true);
        cl.option('C', null, v -> o.rotateRingMultiples = number("-C", v, 1, Long.MAX_VALUE >> 32));
        cl.option('G', null, v -> o.rotateSeconds = number("-G", v, 1, 1L << 32));
        cl.option('W', null, v -> o.maxFiles = number("-W", v, 1, Integer.MAX_VALUE));
        cl.option('Z', null, v -> o.postRotateCommand = v);
        cl.flag('x', null, () -> o.exclusiveLock = true);
        cl.flag('X', null, () -> o.ignoreLock = true);
        cl.option('\0', "rotate-size", v -> o.rotateBytes = size("--rotate-size", v));
        cl.option('\0', "rotate-packets", v -> o.rotatePackets = number("--rotate-packets", v, 1, Long.MAX_VALUE));
        cl.option('\0', "rotate-seconds", v -> o.rotateSeconds = number("--rotate-seconds", v, 1, 1L << 32));
        cl.option('\0', "max-files", v -> o.maxFiles = number("--max-files", v, 1, Integer.MAX_VALUE));
        cl.option('\0', "max-total", v -> o.maxTotalBytes = size("--max-total", v));
        cl.option('\0', "min-free", v -> parseMinFree(o, v));
        cl.option('\0', "name-template", v -> o.nameTemplate = v);
        cl.flag('\0', "rotate-by-packet-time", () -> o.rotateByPacketTime = true);
        cl.option('\0', "file-mode", v -> {
            try {
                o.fileMode = Integer.parseInt(v, 8);
            } catch (NumberFormatException e) {
                throw new UsageException("--file-mode takes an octal mode such as 0640, not " + v);
            }
            if (o.fileMode < 0 || o.fileMode > 07777) {
                throw new UsageException("--file-mode takes an octal mode such as 0640, not " + v);
            }
        });
        cl.flag('\0', "direct-io", () -> o.directIo = true);
        cl.flag('\0', "buffered-io", () -> o.directIo = false);
        cl.option('\0', "fsync", v -> {
            try {
                o.fsync = FsyncPolicy.parse(v);
            } catch (OutputException e) {
                throw new UsageException(e.getMessage());
            }
        });

        // kafka: publish to a Kafka topic instead of writing files (docs/kafka.md)
        cl.option('\0', "kafka", v -> o.kafkaBootstrap = v);
        cl.option('\0', "kafka-topic", v -> o.kafkaTopic = v);
        cl.option('\0', "kafka-client-id", v -> o.kafkaClientId = v);
        cl.option('\0', "kafka-option", v -> o.kafkaOptions.add(v));
        cl.option('\0', "topic", v -> o.consumeTopic = v);
        cl.option('\0', "group", v -> o.consumeGroup = v);
        cl.option('\0', "reorder-window", v -> o.reorderWindowMillis = number("--reorder-window", v, 0, 3_600_000));

        cl.option('\0', "count", v -> o.countLimit = number("--count", v, 1, Long.MAX_VALUE));
        cl.option('\0', "duration", v -> o.durationSeconds = seconds("--duration", v));
        cl.option('V', "status", v -> {
            if (v.startsWith("-")) {
                throw new UsageException(v + " is suspicious as argument of -V");
            }
            o.statusArgument = v;
        });
        cl.flag('q', "quiet", () -> o.quiet = true);
        cl.flag('v', "version", () -> o.showVersion = true);
        cl.flag('h', "help", () -> o.showHelp = true);

        List<String> operands = cl.parse(args);
        if (consume) {
            if (operands.size() != 1) {
                throw new UsageException("kafka-consume takes one BOOTSTRAP list (host:port[,host:port...])");
            }
            o.kafkaConsumeBootstrap = operands.getFirst();
            operands = List.of();
        }
        if (!operands.isEmpty()) {
            throw new UsageException("unexpected argument '" + operands.get(0) + "' (input files go after --read)");
        }
        checkCombinations(o, directionGiven[0]);
        return o;
    }

    /** {@code --min-free}: a size (K, M, G, T) or a percentage of the file system. */
    private static void parseMinFree(Options o, String value) throws UsageException {
        String v = value.trim();
        if (!v.endsWith("%")) {
            o.minFreeBytes = size("--min-free", v);
            return;
        }
        try {
            o.minFreeFraction = Double.parseDouble(v.substring(0, v.length() - 1)) / 100;
        } catch (NumberFormatException e) {
            o.minFreeFraction = -1;
        }
        if (!(o.minFreeFraction > 0 && o.minFreeFraction < 1)) {
            throw new UsageException("--min-free takes a size such as 10G or a percentage such as 5%, not '" + value + "'");
        }
    }

    private static void checkCombinations(Options o, boolean directionGiven) throws UsageException {
        checkKafka(o);
        if (directionGiven && o.mode() != Options.Mode.LIVE) {
            throw new UsageException("-Q applies to live capture (-i IFACE) only: a capture file does not say a packet's direction");
        }
        if (!o.decapsulate) {
            String lone = o.erspanSessions != null ? "--erspan-session" : o.vnis != null ? "--vni"
                    : o.keepOther ? "--keep-other" : o.erspanTime ? "--erspan-time" : null;
            if (lone != null) {
                throw new UsageException(lone + " only applies with -d (decapsulation)");
            }
        }
        long largestRecord = 16L + o.snaplen + (o.decapsulate ? 14 : 0); // header, frame, synthetic Ethernet
        if (!o.opaqueCopy && o.ringBytes() < largestRecord) {
            throw new UsageException("a ring of " + o.ringMiB + " MiB cannot hold a record of -s " + o.snaplen
                    + " bytes; raise -r or lower -s");
        }
        if (o.opaqueCopy && (o.rotateRingMultiples > 0 || o.rotateBytes > 0 || o.rotatePackets > 0 || o.rotateSeconds > 0)) {
            // The original cut -c streams at arbitrary bytes, leaving unreadable pieces.
            throw new UsageException("-c copies bytes without records, so its output cannot be rotated;"
                    + " drop -C/-G/--rotate-*");
        }
        if (o.opaqueCopy && (o.decapsulate || o.filter != null)) {
            throw new UsageException("-c copies bytes unchanged; it cannot be combined with " + (o.decapsulate ? "-d" : "-f"));
        }
    }

    /** kafka: --kafka needs a topic, and is the run's output (no -o, no -c). */
    private static void checkKafka(Options o) throws UsageException {
        if (o.kafkaConsumeBootstrap == null && (o.consumeTopic != null || o.consumeGroup != null)) {
            throw new UsageException("--topic and --group belong to gulp kafka-consume");
        }
        if (o.kafkaConsumeBootstrap != null) {
            if (o.consumeTopic == null || o.consumeTopic.isBlank()) {
                throw new UsageException("kafka-consume needs --topic T");
            }
            if (o.outputDirectory == null) {
                throw new UsageException("kafka-consume needs -o DIR");
            }
            if (o.kafkaBootstrap != null || o.opaqueCopy || o.filter != null || o.decapsulate || o.interfaceName != null
                    || !o.readFiles.isEmpty()) {
                throw new UsageException("kafka-consume reads its topic only: no -i, --read, -c, -f, -d or --kafka");
            }
            if (o.fsync == FsyncPolicy.NEVER) {
                throw new UsageException("kafka-consume commits offsets once a file is on disk: --fsync never cannot be used");
            }
            return;
        }
        boolean anyKafka = o.kafkaTopic != null || o.kafkaClientId != null || !o.kafkaOptions.isEmpty();
        if (o.kafkaBootstrap == null) {
            if (anyKafka) {
                throw new UsageException("--kafka-topic, --kafka-client-id and --kafka-option need --kafka BOOTSTRAP");
            }
            return;
        }
        if (o.kafkaBootstrap.isBlank()) {
            throw new UsageException("--kafka takes a bootstrap list such as broker1:9092,broker2:9092");
        }
        if (o.kafkaTopic == null || o.kafkaTopic.isBlank()) {
            throw new UsageException("--kafka needs --kafka-topic T");
        }
        if (o.outputDirectory != null || o.opaqueCopy) {
            throw new UsageException("--kafka is the run's output: it cannot be combined with " + (o.opaqueCopy ? "-c" : "-o"));
        }
    }

    static long number(String option, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a whole number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", not " + value);
        }
        return n;
    }

    /** A byte count with an optional K, M, G or T suffix (powers of 1024). */
    static long size(String option, String value) throws UsageException {
        String v = value.trim().toUpperCase();
        long unit = 1;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                v = v.substring(0, v.length() - 1);
            }
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a size such as 500M or 2G, not '" + value + "'");
        }
        if (n <= 0 || n > Long.MAX_VALUE / unit) {
            throw new UsageException(option + " takes a positive size such as 500M or 2G, not '" + value + "'");
        }
        return n * unit;
    }

    static double seconds(String option, String value) throws UsageException {
        double s;
        try {
            s = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes seconds, such as 10 or 0.5, not '" + value + "'");
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new UsageException(option + " takes a positive number of seconds, not '" + value + "'");
        }
        return s;
    }
}
