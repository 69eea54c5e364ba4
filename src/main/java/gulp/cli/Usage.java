package gulp.cli;

/** The --help text. */
final class Usage {
    static final String TEXT = """
            Usage: gulp [options] > file.pcap
            Lossless packet capture: a reader thread fills a large ring buffer, a writer thread
            empties it to the output in big blocks.

            Input
              -i IFACE            capture live from IFACE (default: $CAP_IFACE, else the first up,
                                  non-loopback interface)
              -i -                read a capture stream (pcap or pcapng) from stdin
              --read FILE         read a capture file (repeat for several files, read in order)
              -c                  copy arbitrary bytes from stdin to stdout through the ring
              -f EXPR             tcpdump-language filter (needs libpcap)
              -s N                snap length: keep at most N bytes per packet (default 262144)
              -F                  do not insist on Ethernet input (tun, ipip, ... as raw IP)
              -Q, --direction DIR  in, out or inout (default; on loopback each packet once)
              --no-promisc        do not put the interface into promiscuous mode
              -B MIB              kernel ring size in MiB
              --reader-cpu N      pin the reader thread to CPU N
              --writer-cpu N      pin the writer thread to CPU N
              --fifo              run the reader with SCHED_FIFO
              --no-hold-kernel-blocks  when the ring is full, drop packets instead of leaving
                                  them in the kernel ring (by default it buffers too:
                                  -B plus -r absorb an output stall; --hold-kernel-blocks)

            Remote capture
              -d                  decapsulate ERSPAN I/II/III, GRE, VXLAN and Geneve, carried in
                                  Ethernet, Linux cooked (SLL, SLL2) or raw IP packets
              --decap=KINDS       only these: erspan,gre,vxlan,geneve
              --vxlan-port N      VXLAN UDP port (default 4789)
              --geneve-port N     Geneve UDP port (default 6081)
              --keep-other        write packets that are not encapsulated unchanged
              --erspan-session IDS  keep only these ERSPAN sessions (comma separated)
              --vni IDS           keep only these VXLAN/Geneve VNIs
              --erspan-time       use the ERSPAN type III timestamp as packet time

            Ring and writer
              -r MIB              ring buffer size in MiB (default 100)
              -z BYTES            write block size, a power of two up to 64 MiB (default 1 MiB)
              -p MICROS           longest sleep of a reader waiting for ring space, in µs (default 1000)
              --nano              write nanosecond pcap (default: microseconds)

            Output files
              -o DIR              write rotating files into DIR instead of stdout
              -n NAME             file name prefix (default pcap)
              -t                  time stamp in file names
              -C N                new file after N ring sizes of data (-o alone: -C 10)
              -G SECS             new file every SECS seconds, on clock boundaries
              -W N                keep at most N files
              -Z CMD              run CMD FILE after each file is finished
                                  (in DIR, environment: PATH HOME LANG TZ LC_*)
              -x / -X             exclusive instance / ignore the instance lock
                                  (per source and output directory: DIR/.gulp-SOURCE.lock)
              --rotate-size SIZE  new file before it would exceed SIZE (e.g. 500M, 2G)
              --rotate-packets N  new file after N packets
              --rotate-seconds S  same as -G
              --rotate-by-packet-time  -G intervals follow packet time stamps (for --read)
              --max-files N       same as -W: delete this run's oldest files beyond N
              --max-total SIZE    delete this run's oldest files to stay within SIZE
              --min-free SIZE|PCT delete this run's oldest files to keep SIZE (or PCT%) free
              --name-template T   file names, strftime-style in UTC with %L (ms), %{seq},
                                  %{name}; e.g. '%Y%m%d-%H%M%S-%{seq}'
              --file-mode MODE    permissions of output files (default 0640)
              --fsync WHEN        never | file (default: each finished file) | always
              --buffered-io       write through the page cache; by default -o files and a
                                  stdout that is a regular file use O_DIRECT (--direct-io)
              SIGHUP with -o starts a new file; SIGINT/SIGTERM finish the current one.

            Sending to Kafka (instead of stdout or -o; docs/kafka.md)
              --kafka BOOTSTRAP   publish packets to Kafka (host:port[,host:port...]) as
                                  batches of pcapng packet blocks, one partition per flow
              --kafka-topic T     the topic (required with --kafka)
              --kafka-client-id ID  client.id (default gulp-HOSTNAME)
              --kafka-option K=V  any Kafka producer setting, over gulp's choices
              Kafka never slows capture: the ring holds what the producer cannot take yet;
              what a live capture cannot keep is counted "records dropped (kafka)".
            gulp kafka-consume BOOTSTRAP --topic T -o DIR [file and rotation options]
                                  rebuild files from the topic (every partition, any number of
                                  boxes), each packet exactly once across crashes and restarts
              --group G           consumer group for the committed offsets
                                  (default gulp-kafka-consume-T)
              --reorder-window MS  merge partitions in timestamp order within MS of packet
                                  time (default 1000)

            Run control
              --count N           stop after N packets
              --duration SECS     stop after SECS seconds
              -V ARG              status line on stderr twice a second
              -q                  quiet: no start-up line or ring-full warnings
              -v                  print the version and exit
              --help              print this help and exit
              SIGINT, SIGTERM, SIGHUP (stdout) stop cleanly; SIGUSR1 prints the counters;
              SIGQUIT prints a JVM thread dump on stderr; the README lists every signal.

            Exit status: 0 success, 1 internal or resource failure, 2 bad usage,
            3 input error, 4 output error.
            """;

    private Usage() {
    }
}
