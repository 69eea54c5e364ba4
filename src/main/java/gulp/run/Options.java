package gulp.run;

import gulp.format.PcapFileHeader;

import gulp.capture.Direction;
import gulp.output.FsyncPolicy;

import java.util.ArrayList;
import java.util.List;

/**
 * The options of one run as given on the command line (parsed by {@code gulp.cli.OptionParser}),
 * before anything is derived from them: {@link RunSettings#conclude} does that, once. Short
 * options are those of the original Gulp (same letters, same meaning); long options cover what
 * is new.
 */
public final class Options {
    public static final long DEFAULT_RING_MIB = 100;
    /** Chosen by measurement (docs/bench.md §4): larger writes gain nothing, smaller ones cost CPU. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    public static final int MAX_BLOCK_SIZE = 64 << 20;
    /** The most pairs of --fanout (the kernel allows 256 sockets a group; more pairs than CPUs gain nothing). */
    public static final int MAX_FANOUT = 64;
    public static final long DEFAULT_PARK_MICROS = 1000;

    // Input.
    public String interfaceName;             // -i; "-" = stdin
    public final List<String> readFiles = new ArrayList<>(); // --read
    public boolean opaqueCopy;                // -c
    public boolean skipEthernetCheck;         // -F
    public String filter;                     // -f
    public boolean promiscuous = true;        // --no-promisc
    public int snaplen = PcapFileHeader.DEFAULT_SNAPLEN; // -s
    public long kernelBufferMiB;              // -B (0 = default geometry)
    public int readerCpu = -1;                // --reader-cpu
    public int writerCpu = -1;                // --writer-cpu
    public boolean realtimeReader;            // --fifo
    public boolean holdKernelBlocks = true;   // --no-hold-kernel-blocks (--hold-kernel-blocks: the default)
    public Direction direction = Direction.INOUT; // -Q / --direction

    // Several interfaces, -i any, -D (interfaces feature).
    /** Every interface of -i, in order (a comma list split; "any" alone); {@link #interfaceName} is the first. */
    public final List<String> interfaces = new ArrayList<>();
    public boolean listInterfaces;            // -D / --list-interfaces

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
    public long ringMiB = DEFAULT_RING_MIB;   // -r (also -C's unit)
    public boolean ringGiven;                 // -r given (else a live capture sizes its ring from memory)
    public int blockSize = DEFAULT_BLOCK_SIZE;// -z
    public boolean blockSizeGiven;            // -z was given (else O_DIRECT output may write larger blocks)
    public long parkMicros = DEFAULT_PARK_MICROS; // -p
    public boolean nanosecond;                // --nano

    // pcapng output.
    public boolean pcapng;                    // --format pcapng (default pcap)

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
    public Boolean directIo;                  // --direct-io (true), --buffered-io (false); null: the run's default (RunSettings)
    public FsyncPolicy fsync = FsyncPolicy.FILE; // --fsync

    // kafka: --kafka sink (docs/kafka.md).
    public String kafkaBootstrap;             // --kafka BOOTSTRAP
    public String kafkaTopic;                 // --kafka-topic
    public String kafkaClientId;              // --kafka-client-id
    public final List<String> kafkaOptions = new ArrayList<>(); // --kafka-option KEY=VALUE
    public double kafkaTimeoutSeconds;        // --kafka-timeout SECS (0: not given, the run's default, RunSettings)
    // kafka: gulp kafka-consume BOOTSTRAP --topic T -o DIR
    public String kafkaConsumeBootstrap;      // kafka-consume's operand (null: not kafka-consume)
    public String consumeTopic;               // --topic
    public String consumeGroup;               // --group
    public long reorderWindowMillis = 1000;   // --reorder-window MS

    // Run control and reporting.
    public long countLimit;                   // --count
    public double durationSeconds;            // --duration
    public String statusArgument;             // -V
    public boolean quiet;                     // -q
    public boolean showVersion;               // -v
    public boolean showHelp;                  // --help

    // Running as a service (least privilege).
    public String runUser;                    // --user
    // Several cores (--fanout).
    public int fanout = 1;                    // --fanout N: N reader/writer pairs in one PACKET_FANOUT group
    public FanoutMode fanoutMode = FanoutMode.HASH; // --fanout-mode

    // Watching a capture (metrics).
    public String metricsAddress;             // --metrics [ADDR:]PORT
    public String statsJson;                  // --stats-json FILE|-
    // Extraction: gulp extract DIR... / gulp index DIR... (issue 13).
    public String subcommand;                 // "extract" or "index"; null for a capture
    public final List<String> extractDirectories = new ArrayList<>(); // the DIR operands
    public long extractFrom = Long.MIN_VALUE; // --from (nanoseconds since the epoch)
    public long extractTo = Long.MAX_VALUE;   // --to (excluded)
    public boolean extractList;               // --list
    public boolean writeIndex = true;         // --no-index: -o keeps no NAME.idx beside its files

    /** Which kind of input the options select. */
    public enum Mode { OPAQUE_COPY, CAPTURE_FILES, LIVE, EXTRACT, INDEX }

    public Mode mode() {
        if ("extract".equals(subcommand)) {
            return Mode.EXTRACT;
        }
        if ("index".equals(subcommand)) {
            return Mode.INDEX;
        }
        if (opaqueCopy) {
            return Mode.OPAQUE_COPY;
        }
        if (kafkaConsumeBootstrap != null) { // kafka: a run that reads like a capture file
            return Mode.CAPTURE_FILES;
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
}
