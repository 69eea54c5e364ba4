package gulp.cli;

import gulp.capture.Direction;
import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.output.FsyncPolicy;
import gulp.output.OutputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The effective settings of one run, from the command line. Short options are those of the
 * original Gulp (same letters, same meaning); long options cover what is new.
 */
public final class Options {
    public static final long DEFAULT_RING_MIB = 100;
    /** Chosen by measurement (BENCHMARKS.md): larger writes gain nothing, smaller ones cost CPU. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    public static final int MAX_BLOCK_SIZE = 64 << 20;
    public static final long DEFAULT_PARK_MICROS = 1000;

    // Input.
    public String interfaceName;             // -i; "-" = stdin
    public final List<String> readFiles = new ArrayList<>(); // --read
    public boolean opaqueCopy;                // -c
    public boolean skipEthernetCheck;         // -F
    public String filter;                     // -f
    public boolean promiscuous = true;        // --no-promisc
    public int snaplen = PcapFileHeader.DEFAULT_SNAPLEN;     // -s
    public long kernelBufferMiB;              // -B (0 = default geometry)
    public int readerCpu = -1;                // --reader-cpu
    public int writerCpu = -1;                // --writer-cpu
    public boolean realtimeReader;            // --fifo
    public boolean holdKernelBlocks = true;   // --no-hold-kernel-blocks (--hold-kernel-blocks: the default)
    public Direction direction = Direction.INOUT; // -Q / --direction
    private boolean directionGiven;

    // Decapsulation.
    public boolean decapsulate;               // -d
    public String decapKinds;                 // --decap
    public int vxlanPort = 4789;              // --vxlan-port
    public int genevePort = 6081;             // --geneve-port
    public boolean keepOther;                 // --keep-other
    public String erspanSessions;             // --erspan-session
    public String vnis;                       // --vni
    public boolean erspanTime;                // --erspan-time

    // Ring and writer.
    public long ringMiB = DEFAULT_RING_MIB;   // -r
    public int blockSize = DEFAULT_BLOCK_SIZE;// -z
    public long parkMicros = DEFAULT_PARK_MICROS; // -p
    public boolean nanosecond;                // --nano

    // Output files and rotation.
    public String outputDirectory;            // -o
    public String namePrefix = "pcap";        // -n
    public boolean timestampNames;            // -t
    public long rotateRingMultiples;          // -C (0 = off)
    public long rotateSeconds;                // -G (0 = off)
    public long maxFiles;                     // -W (0 = unlimited)
    public String postRotateCommand;          // -Z
    public boolean exclusiveLock;             // -x
    public boolean ignoreLock;                // -X
    public long rotateBytes;                  // --rotate-size
    public long rotatePackets;                // --rotate-packets
    public long maxTotalBytes;                // --max-total
    public long minFreeBytes;                 // --min-free SIZE
    public double minFreeFraction;            // --min-free PCT%
    public String nameTemplate;               // --name-template
    public boolean rotateByPacketTime;        // --rotate-by-packet-time
    public int fileMode = 0640;               // --file-mode
    public boolean directIo = true;           // --buffered-io (--direct-io: the default)
    public FsyncPolicy fsync = FsyncPolicy.FILE; // --fsync

    // Run control and reporting.
    public long countLimit;                   // --count
    public double durationSeconds;            // --duration
    public String statusArgument;             // -V
    public boolean quiet;                     // -q
    public boolean showVersion;               // -v
    public boolean showHelp;                  // --help

    /** Which kind of input the options select. */
    public enum Mode { OPAQUE_COPY, CAPTURE_FILES, LIVE }

    public Mode mode() {
        if (opaqueCopy) {
            return Mode.OPAQUE_COPY;
        }
        if (!readFiles.isEmpty() || "-".equals(interfaceName)) {
            return Mode.CAPTURE_FILES;
        }
        return Mode.LIVE;
    }

    /** Input files for {@link Mode#CAPTURE_FILES}: {@code -i -} is stdin. */
    public List<String> inputNames() {
        return readFiles.isEmpty() ? List.of("-") : readFiles;
    }

    public long ringBytes() {
        return ringMiB << 20;
    }

    public static Options parse(String[] args) throws UsageException {
        Options o = new Options();
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
            o.directionGiven = true;
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
        cl.option('\0', "min-free", v -> o.parseMinFree(v));
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
        if (!operands.isEmpty()) {
            throw new UsageException("unexpected argument '" + operands.get(0) + "' (input files go after --read)");
        }
        o.checkCombinations();
        return o;
    }

    /** {@code --min-free}: a size (K, M, G, T) or a percentage of the file system. */
    private void parseMinFree(String value) throws UsageException {
        String v = value.trim();
        if (!v.endsWith("%")) {
            minFreeBytes = size("--min-free", v);
            return;
        }
        try {
            minFreeFraction = Double.parseDouble(v.substring(0, v.length() - 1)) / 100;
        } catch (NumberFormatException e) {
            minFreeFraction = -1;
        }
        if (!(minFreeFraction > 0 && minFreeFraction < 1)) {
            throw new UsageException("--min-free takes a size such as 10G or a percentage such as 5%, not '" + value + "'");
        }
    }

    private void checkCombinations() throws UsageException {
        if (directionGiven && mode() != Mode.LIVE) {
            throw new UsageException("-Q applies to live capture (-i IFACE) only: a capture file does not say a packet's direction");
        }
        if (!decapsulate) {
            String lone = erspanSessions != null ? "--erspan-session" : vnis != null ? "--vni"
                    : keepOther ? "--keep-other" : erspanTime ? "--erspan-time" : null;
            if (lone != null) {
                throw new UsageException(lone + " only applies with -d (decapsulation)");
            }
        }
        long largestRecord = 16L + snaplen + (decapsulate ? 14 : 0); // header, frame, synthetic Ethernet
        if (!opaqueCopy && ringBytes() < largestRecord) {
            throw new UsageException("a ring of " + ringMiB + " MiB cannot hold a record of -s " + snaplen
                    + " bytes; raise -r or lower -s");
        }
        if (opaqueCopy && (rotateRingMultiples > 0 || rotateBytes > 0 || rotatePackets > 0 || rotateSeconds > 0)) {
            // The original cut -c streams at arbitrary bytes, leaving unreadable pieces.
            throw new UsageException("-c copies bytes without records, so its output cannot be rotated;"
                    + " drop -C/-G/--rotate-*");
        }
        if (opaqueCopy && (decapsulate || filter != null)) {
            throw new UsageException("-c copies bytes unchanged; it cannot be combined with " + (decapsulate ? "-d" : "-f"));
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
