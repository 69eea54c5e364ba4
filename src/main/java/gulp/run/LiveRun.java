package gulp.run;

import gulp.capture.InputException;
import gulp.capture.LiveSource;
import gulp.decap.Decapsulator;
import gulp.decap.OuterLink;
import gulp.decap.WarmUpFrames;
import gulp.extract.IndexWarmUp;
import gulp.filter.FilterPlacement;
import gulp.linux.ProcessAge;
import gulp.format.LinkType;
import gulp.format.PcapRecordEncoder;
import gulp.pipeline.PacketPath;
import gulp.pipeline.RoleRunner;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.stats.CaptureCounters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** {@code gulp -i IFACE}: live capture from one interface, several ({@code -i eth1,eth2}) or {@code any}. */
final class LiveRun {
    /** Synthetic kernel blocks run through the reader's code before capture starts. */
    static final int WARM_UP_BLOCKS = 2000;
    /** ...and for at least this long: it runs beside the kernel ring set-up, which takes as long. */
    static final long WARM_UP_NANOS = 300_000_000L;
    private static final long WARM_UP_RING = 4L << 20;

    private LiveRun() {
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        RunSettings settings = assembly.settings();
        Options options = settings.options();
        List<String> names = settings.interfaces();
        // The JIT warm-up runs beside the kernel ring set-up (the kernel zeroes the ring meanwhile).
        Thread warmUp = Thread.ofPlatform().name("gulp-warm-up").daemon().start(() -> warmUp(settings));
        CaptureCounters counters = new CaptureCounters();
        LiveSource.Settings socket = new LiveSource.Settings(names, options.promiscuous, settings.kernelSnaplen(),
                settings.kernelBufferBytes(), LiveSource.DEFAULT_BLOCK_SIZE, options.skipEthernetCheck, options.direction,
                options.filter, options.snaplen, options.decapsulate ? LinkType.ETHERNET : 0);
        LiveSource source;
        try {
            source = LiveSource.open(socket, counters);
            StartupTrace.mark("socket and kernel ring open");
        } catch (InputException e) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, e.getMessage());
        }
        try (source; Arena arena = Arena.ofShared(); RingFaultIn faultIn = new RingFaultIn()) {
            String mixed = mixedLinkTypes(source, options);
            if (mixed != null) {
                return Outcome.failure(Outcome.Status.BAD_USAGE, mixed);
            }
            assembly.checkRingFits(settings.ringBytes());
            // Listening first: the filters in the kernel, then bind. From here on the kernel ring
            // keeps every packet while the rest is set up (gulp's ring, the output, the warm-up).
            PacketProcessing processing = assembly.processing(source, names.getFirst());
            FilterPlacement filter = processing.filter();
            for (int i = 0; i < names.size(); i++) {
                // Compiled per interface, as tcpdump -i compiles it for each (its link type, its handle).
                FilterPlacement own = i == 0 ? filter : processing.filterFor(settings, names.get(i), source.linkTypes().get(i));
                if (own.kernelProgram() != null) {
                    source.attachFilter(i, own.kernelProgram());
                }
            }
            source.start();
            String ready = secondsSinceLaunch();
            StartupTrace.mark("bound (listening)");
            // Mapped only: faulted in and locked beside the capture, from where the reader starts.
            ByteRing ring = assembly.allocateRing(arena, settings.ringBytes(), false);
            RoleRunner.Plan plan = settings.threads();
            faultIn.start(List.of(ring), settings.helperCpu(), plan.raiseReader(), assembly::message);
            StartupTrace.mark("ring allocated");
            RunAssembly.PacketRun run = assembly.assemble(source, names.getFirst(), ring, counters, processing);
            PacketPath path = run.path();
            path.setHoldWhenFull(options.holdKernelBlocks);
            if (filter.warning() != null) {
                assembly.message(filter.warning());
            }
            processing.install(path, run.report());
            StartupTrace.mark("assembled");
            warmUp.join();
            StartupTrace.mark("warm-up joined");
            String processed = processing.describe();
            assembly.startupLine("listening on " + source.describe() + notRecorded(names, options) + ", "
                            + settings.threads().describe() + settings.threadsNote() + ", "
                            + RingBudget.describe(options.holdKernelBlocks, settings.kernelBufferBytes() * names.size(),
                                    ring.capacity(), source.linkBits()) + ", ready "
                            + ready + " after launch"
                            + (processed.isEmpty() ? "" : "; " + processed + filter.describeLive()),
                    assembly.outputDescription(run.output(), run.outputLinkType()), ring);
            StartupTrace.mark("start-up line");
            return assembly.runPipeline(ring, RunAssembly.readAll(source, path), run.writer(), run.control(), counters,
                    run.report());
        } catch (InputException | SetupException | IOException e) {
            return Outcome.failure(e);
        }
    }

    /**
     * Why these interfaces cannot share one output, or null: classic pcap holds one link type, and
     * {@code -d} reads one outer link layer per run.
     */
    static String mixedLinkTypes(LiveSource source, Options options) {
        if (source.oneLinkType()) {
            return null;
        }
        StringBuilder types = new StringBuilder();
        List<String> names = source.interfaceNames();
        for (int i = 0; i < names.size(); i++) {
            types.append(i == 0 ? "" : ", ").append(names.get(i)).append(" link type ").append(source.linkTypes().get(i));
        }
        if (options.decapsulate) {
            return "-d reads one outer link layer per run, and these interfaces differ (" + types
                    + "); capture them in separate runs";
        }
        if (!pcapngOutput(options)) {
            return "classic pcap holds one link type, and these interfaces differ (" + types
                    + "); capture them in separate runs, or write pcapng (--format pcapng)";
        }
        return null;
    }

    /** True when the output is pcapng (which records each packet's interface). */
    static boolean pcapngOutput(Options options) {
        return options.pcapng;
    }

    /** With several interfaces in classic pcap, the start-up line says the file does not tell them apart. */
    private static String notRecorded(List<String> names, Options options) {
        return names.size() > 1 && !options.pcapng ? " (classic pcap: the interface of a packet is not recorded in the file)" : "";
    }

    /**
     * Runs synthetic kernel blocks through the reader's own classes (block walker, packet path,
     * record encoder; with {@code -d} the decapsulator, over encapsulated frames of each kind) into
     * a scratch ring, so the JIT has compiled them before traffic arrives. Without the decapsulator
     * here, {@code -d}'s path was compiled during the first second of traffic, on the reader's CPU:
     * 0.4-0.6 s of the JIT's CPU in a 1 M-frame run, the reader slower meanwhile (BENCHMARKS.md §3.0a).
     * With {@code -o}'s index, the writer's per-record index path too ({@link IndexWarmUp}), a batch
     * of records after each block: without it, it was compiled during the first second of
     * traffic, about 0.35 s of CPU in the capture window.
     */
    static void warmUp(RunSettings settings) {
        Options options = settings.options();
        // Load the heap segment class now (the output set-up uses one later): loading a second
        // segment implementation after the hot path is compiled invalidates the compiled code's
        // class-hierarchy assumptions and throws the whole warm-up away (seen with -Xlog:jit).
        MemorySegment.ofArray(new byte[8]).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        // -o keeps an index of each file (RunAssembly.fileWriter): the writer's side of it is
        // warmed up beside the reader's, a batch of records after each block.
        try (Arena arena = Arena.ofConfined(); IndexWarmUp index = options.writeIndex && options.outputDirectory != null
                ? new IndexWarmUp(LinkType.ETHERNET, RunAssembly.encoder(options), options.pcapng) : null) {
            // Wrapping early there too: the ring's branches for it are taken (and compiled) before
            // the capture's first wrap, not first at it (a deoptimisation of the reader's path).
            ByteRing scratch = ByteRing.allocate(WARM_UP_RING, arena).earlyWrapFrom(WARM_UP_RING / 4);
            ByteRingConsumer consumer = scratch.consumer();
            PacketPath path = new PacketPath(scratch.producer(), RunAssembly.encoder(options),
                    false, new CaptureCounters(), new RunControl(), 0, 0);
            WarmUpFrames frames = null;
            if (settings.decap() != null) {
                path.setDecapsulator(new Decapsulator(settings.decap(), OuterLink.ETHERNET));
                frames = new WarmUpFrames(settings.decap(), 110, 1514);
            }
            StartupTrace.mark("warm-up begins");
            int blocks = LiveSource.warmUp(path, () -> {
                consumer.release(consumer.refresh());
                if (index != null) {
                    index.indexBatch();
                }
            }, WARM_UP_BLOCKS, WARM_UP_NANOS, frames);
            StartupTrace.mark("warm-up done (" + blocks + " blocks" + (index == null ? "" : ", "
                    + index.recordsIndexed() + " records indexed") + ")");
        }
    }

    static String secondsSinceLaunch() {
        OptionalDouble age = ProcessAge.seconds();
        return age.isPresent() ? String.format(Locale.ROOT, "%.2f s", age.getAsDouble()) : "?";
    }
}
