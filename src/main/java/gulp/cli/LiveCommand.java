package gulp.cli;

import gulp.capture.InputException;
import gulp.capture.LiveSource;
import gulp.filter.BpfProgram;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.ProcessAge;
import gulp.format.PcapRecordEncoder;
import gulp.format.PcapRecordHeader;
import gulp.pipeline.PacketPath;
import gulp.pipeline.Pipeline;
import gulp.pipeline.RunControl;
import gulp.pipeline.Writer;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Report;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.OptionalDouble;

/** {@code gulp -i IFACE}: live capture from an interface. */
final class LiveCommand {
    /** Nice value of the reader thread: ahead of ordinary work, as the original Gulp did. */
    static final int READER_NICE = -10;
    static final int FIFO_PRIORITY = 10;
    /** Synthetic kernel blocks run through the reader's code before capture starts. */
    static final int WARM_UP_BLOCKS = 2000;
    /** ...and for at least this long: it runs beside the kernel ring set-up, which takes as long. */
    static final long WARM_UP_NANOS = 300_000_000L;
    private static final long WARM_UP_RING = 4L << 20;

    private final Main main;

    LiveCommand(Main main) {
        this.main = main;
    }

    /** Which CPU each thread goes to (-1 = leave it to the scheduler). */
    record CpuPlan(int reader, int writer) {
        String describe() {
            return "reader " + (reader < 0 ? "unpinned" : "on cpu " + reader) + ", writer "
                    + (writer < 0 ? "unpinned" : "on cpu " + writer);
        }
    }

    int run(Options options) throws InterruptedException {
        String name = options.interfaceName != null ? options.interfaceName : LiveSource.defaultInterface();
        if (name == null) {
            return main.fail(Main.EXIT_INPUT, "no interface given and none is up besides loopback; name one with -i IFACE"
                    + " (interfaces: " + String.join(", ", LiveSource.interfaceNames()) + ")");
        }
        options.interfaceName = name; // the interface chosen: the output lock (-x) is named after it
        // The JIT warm-up runs beside the kernel ring set-up (the kernel zeroes the ring meanwhile).
        Thread warmUp = Thread.ofPlatform().name("gulp-warm-up").daemon().start(() -> warmUp(options));
        CaptureCounters counters = new CaptureCounters();
        long kernelBuffer = options.kernelBufferMiB > 0 ? options.kernelBufferMiB << 20 : defaultKernelBuffer(options);
        // With -d, -s applies to the inner frame: the kernel must keep the outer headers too.
        int kernelSnaplen = options.decapsulate ? PcapRecordHeader.MAX_CAPLEN : options.snaplen;
        LiveSource.Settings settings = new LiveSource.Settings(name, options.promiscuous, kernelSnaplen, kernelBuffer,
                LiveSource.DEFAULT_BLOCK_SIZE, options.skipEthernetCheck, options.direction);
        LiveSource source;
        try {
            source = LiveSource.open(settings, counters);
        } catch (InputException e) {
            return main.fail(Main.EXIT_INPUT, e.getMessage());
        }
        try (source; Arena arena = Arena.ofShared()) {
            ByteRing ring = main.allocateRing(options, arena);
            if (ring == null) {
                return Main.EXIT_FAILURE;
            }
            lockInMemory(ring);
            CpuPlan cpus = planCpus(options);
            Main.PacketRun run = main.assemble(options, source, ring, counters, true);
            PacketProcessing processing = run.processing();
            PacketPath path = run.path();
            Report report = run.report();
            Writer writer = run.writer();
            writer.setThreadStartHook(() -> pinCurrentThread("writer", cpus.writer()));
            path.setHoldWhenFull(options.holdKernelBlocks);
            String filterPlace = "";
            PacketProcessing.KernelInnerFilter inner = processing.kernelInnerFilter();
            if (processing.filterProgram() != null && processing.decapsulator() == null) {
                // Without -d the filter runs in the kernel: rejected packets are never copied. It is
                // compiled as tcpdump -i compiles it, on a live libpcap handle: 'vlan' then tests
                // the outer tag that the kernel removed from the frame (ancillary loads).
                String[] why = new String[1];
                BpfProgram program = PacketProcessing.compileForInterface(options.filter, name, options.snaplen, why);
                if (program == null) {
                    program = processing.filterProgram();
                    if (options.filter.matches("(?s).*\\bvlan\\b.*")) {
                        main.message("warning: libpcap cannot open " + name + " (" + why[0] + "), so the filter is compiled"
                                + " as for a capture file: 'vlan' cannot match the outer tag, which the kernel removes");
                    }
                }
                source.attachFilter(program);
                filterPlace = " (in the kernel)";
            } else if (inner != null) {
                // With -d: fixed-length shapes are filtered in the kernel on their inner frame;
                // the rest arrive whole and the same filter runs after decapsulation.
                source.attachFilter(inner.program());
                filterPlace = " (in the kernel for " + String.join(", ", inner.shapeNames())
                        + "; other encapsulations in user space)";
                processing.install(path, report);
            } else {
                BpfProgram live = null;
                if (processing.filterProgram() != null) {
                    filterPlace = " (in user space)";
                    if (options.keepOther) {
                        // Packets kept as they came are filtered as tcpdump -i would (outer VLAN tag
                        // from the kernel's metadata); decapsulated frames with the file program.
                        live = PacketProcessing.compileForInterface(options.filter, name, options.snaplen, new String[1]);
                    }
                }
                processing.install(path, report, live);
            }
            warmUp.join();
            source.start();
            String processed = processing.describe();
            main.startupLine(options, "listening on " + source.describe() + ", " + cpus.describe()
                            + ", " + stallBudget(options, kernelBuffer, ring.capacity()) + ", ready "
                            + secondsSinceLaunch() + " after launch" + (processed.isEmpty() ? "" : "; " + processed + filterPlace),
                    main.outputDescription(options, run.output(), run.outputLinkType()), ring);
            Pipeline.ReaderBody readAll = Main.readAll(source, path);
            return main.runPipeline(options, ring, () -> {
                setUpReaderThread(options, cpus.reader());
                readAll.run();
            }, writer, run.control(), counters, report);
        } catch (InputException e) {
            return main.fail(Main.EXIT_INPUT, e.getMessage());
        } catch (SetupException e) {
            return main.fail(e.status(), e.getMessage());
        } catch (IOException e) {
            return main.fail(Main.EXIT_OUTPUT, e.getMessage());
        }
    }

    /**
     * The memory that absorbs a stall of the output: with kernel blocks held (the default) the
     * kernel ring fills behind gulp's full ring, so both; without, only gulp's ring.
     */
    static String stallBudget(Options options, long kernelBuffer, long ringBytes) {
        if (!options.holdKernelBlocks) {
            return "an output stall is absorbed by the " + (ringBytes >> 20) + " MiB ring only (--no-hold-kernel-blocks)";
        }
        return "an output stall is absorbed by " + ((kernelBuffer + ringBytes) >> 20) + " MiB (kernel ring "
                + (kernelBuffer >> 20) + " + ring " + (ringBytes >> 20) + ")";
    }

    /** 256 MiB, or an eighth of the available memory when that is less (at least 16 MiB). */
    private static long defaultKernelBuffer(Options options) {
        long available = Main.MemoryInfo.availableBytes() - options.ringBytes();
        if (available <= 0) {
            return LiveSource.MIN_KERNEL_BUFFER;
        }
        long share = Math.max(LiveSource.MIN_KERNEL_BUFFER, available / 8);
        return Math.min(LiveSource.DEFAULT_KERNEL_BUFFER, share) / LiveSource.DEFAULT_BLOCK_SIZE * LiveSource.DEFAULT_BLOCK_SIZE;
    }

    /** Keeps the ring out of swap; without CAP_IPC_LOCK (or a big RLIMIT_MEMLOCK) only a warning. */
    private void lockInMemory(ByteRing ring) {
        try {
            Libc.current().mlock(ring.buffer());
        } catch (NativeException e) {
            main.message("warning: cannot lock the ring in memory (" + e.getMessage()
                    + "); it may be swapped out (needs CAP_IPC_LOCK)");
        }
    }

    /**
     * Runs synthetic kernel blocks through the reader's own classes (block walker, packet path,
     * record encoder) into a scratch ring, so the JIT has compiled them before traffic arrives.
     */
    private static void warmUp(Options options) {
        // Load the heap segment class now (the output set-up uses one later): loading a second
        // segment implementation after the hot path is compiled invalidates the compiled code's
        // class-hierarchy assumptions and throws the whole warm-up away (seen with -Xlog:jit).
        MemorySegment.ofArray(new byte[8]).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        try (Arena arena = Arena.ofConfined()) {
            ByteRing scratch = ByteRing.allocate(WARM_UP_RING, arena);
            ByteRing.Consumer consumer = scratch.consumer();
            PacketPath path = new PacketPath(scratch.producer(), new PcapRecordEncoder(options.nanosecond, options.snaplen),
                    false, new CaptureCounters(), new RunControl(), 0, 0);
            LiveSource.warmUp(path, () -> consumer.release(consumer.refresh()), WARM_UP_BLOCKS, WARM_UP_NANOS);
        }
    }

    /**
     * Reader and writer on different CPUs of the set this process may use (the last two, as
     * CPU 0 usually carries more interrupts), unless given; nothing pinned with one CPU.
     */
    private CpuPlan planCpus(Options options) {
        int[] allowed;
        try {
            allowed = Libc.current().allowedCpus();
        } catch (NativeException e) {
            allowed = new int[0];
        }
        int reader = options.readerCpu;
        int writer = options.writerCpu;
        if (allowed.length >= 2) {
            if (reader < 0) {
                reader = allowed[allowed.length - 1] == writer ? allowed[allowed.length - 2] : allowed[allowed.length - 1];
            }
            if (writer < 0) {
                writer = allowed[allowed.length - 1] == reader ? allowed[allowed.length - 2] : allowed[allowed.length - 1];
            }
        }
        return new CpuPlan(reader, writer);
    }

    private void setUpReaderThread(Options options, int cpu) {
        pinCurrentThread("reader", cpu);
        Libc libc = Libc.current();
        try {
            libc.setThreadNice(libc.gettid(), READER_NICE);
        } catch (NativeException e) {
            main.message("warning: cannot raise the reader thread's priority (" + e.getMessage()
                    + "; needs CAP_SYS_NICE)");
        }
        if (options.realtimeReader) {
            try {
                libc.setCurrentThreadFifo(FIFO_PRIORITY);
            } catch (NativeException e) {
                main.message("warning: cannot give the reader thread SCHED_FIFO (" + e.getMessage()
                        + "; needs CAP_SYS_NICE)");
            }
        }
    }

    private void pinCurrentThread(String thread, int cpu) {
        if (cpu < 0) {
            return;
        }
        try {
            Libc.current().pinCurrentThread(cpu);
        } catch (NativeException e) {
            String why = e.errno() == Libc.EINVAL ? "it is not among the CPUs this process may use" : e.getMessage();
            main.message("warning: cannot pin the " + thread + " thread to CPU " + cpu + " (" + why + ")");
        }
    }

    private static String secondsSinceLaunch() {
        OptionalDouble age = ProcessAge.seconds();
        return age.isPresent() ? String.format(Locale.ROOT, "%.2f s", age.getAsDouble()) : "?";
    }
}
