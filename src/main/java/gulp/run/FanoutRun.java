package gulp.run;

import gulp.capture.InputException;
import gulp.capture.LiveSource;
import gulp.filter.FilterPlacement;
import gulp.format.LinkType;
import gulp.pipeline.Pipeline;
import gulp.pipeline.RoleRunner;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Counter;
import gulp.stats.Report;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code gulp -i IFACE --fanout N} (N &gt; 1): N packet sockets on one interface in one
 * PACKET_FANOUT group, each the input of a pair of its own — kernel ring, reader, ring, writer,
 * file set ({@code PREFIX-pK-}) — the pairs on distinct CPUs ({@link RunSettings#fanoutThreads}).
 * The pairs share one {@link RunControl}, so a stop (signal, {@code --duration}, a failed output)
 * ends them all, and each drains its socket as a one-interface run does. The status line,
 * metrics and service status show the pairs' totals; the end-of-run report has a line per pair.
 * {@code -r} and {@code -B} are split between the pairs: the run uses the memory it was given.
 */
final class FanoutRun {
    private FanoutRun() {
    }

    /** One reader/writer pair: its socket, ring, packet path, output and writer. */
    private record Pair(int index, CaptureCounters counters, LiveSource source, ByteRing ring, RunAssembly.PacketRun run,
                        RoleRunner.Plan plan) {
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        RunSettings settings = assembly.settings();
        Options options = settings.options();
        int n = options.fanout;
        String name = settings.interfaces().getFirst();
        long kernelPerPair = share(settings.kernelBufferBytes(), n, LiveSource.DEFAULT_BLOCK_SIZE, LiveSource.MIN_KERNEL_BUFFER);
        long ringPerPair = share(settings.ringBytes(), n, 1L << 20, 1L << 20);
        Thread warmUp = Thread.ofPlatform().name("gulp-warm-up").daemon().start(() -> LiveRun.warmUp(settings));
        RunControl control = Signals.attach(new RunControl());
        LiveSource.Settings socket = new LiveSource.Settings(List.of(name), options.promiscuous, settings.kernelSnaplen(),
                kernelPerPair, LiveSource.DEFAULT_BLOCK_SIZE, options.skipEthernetCheck, options.direction,
                options.filter, options.snaplen, options.decapsulate ? LinkType.ETHERNET : 0);
        List<Pair> pairs = new ArrayList<>();
        List<LiveSource> opened = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); RingFaultIn faultIn = new RingFaultIn()) {
            // Listening first, as a one-pair run: every socket with its kernel ring and the filter
            // in the kernel, then bind (each joining the fanout group). From here on the kernel
            // rings keep every packet while the rest is set up (gulp's rings, the outputs, the
            // warm-up); a failure before the outputs leaves none behind.
            List<CaptureCounters> counterSets = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                counterSets.add(new CaptureCounters());
                opened.add(LiveSource.open(socket, counterSets.getLast()));
            }
            StartupTrace.mark("sockets and kernel rings open");
            List<PacketProcessing> processings = new ArrayList<>();
            for (LiveSource source : opened) {
                processings.add(assembly.processing(source, name)); // each pair its own (decapsulation keeps state)
                FilterPlacement own = processings.getLast().filter();
                if (own.kernelProgram() != null) {
                    source.attachFilter(0, own.kernelProgram()); // the same program on every socket
                }
            }
            FilterPlacement filter = processings.getFirst().filter();
            int group = (int) (ProcessHandle.current().pid() & 0xFFFF);
            for (LiveSource source : opened) {
                source.startInFanout(group, options.fanoutMode.kernelMode(), options.fanoutMode.flags());
            }
            String ready = LiveRun.secondsSinceLaunch();
            StartupTrace.mark("bound (listening)");
            List<ByteRing> rings = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                rings.add(assembly.allocateRing(arena, ringPerPair, false));
            }
            faultIn.start(rings, -1, true, assembly::message); // every fanout plan raises its reader; one warning when the rings cannot be locked
            StartupTrace.mark("rings allocated");
            for (int k = 0; k < n; k++) {
                CaptureCounters counters = counterSets.get(k);
                LiveSource source = opened.get(k);
                ByteRing ring = rings.get(k);
                int pair = k;
                RunAssembly.PacketRun run = assembly.assemble(source, name, ring, counters, control,
                        header -> Outputs.files(settings, header, control, System.err, Outputs.pairPrefix(options, pair),
                                pair == 0), processings.get(k));
                run.path().setHoldWhenFull(options.holdKernelBlocks);
                run.processing().install(run.path(), run.report());
                pairs.add(new Pair(k, counters, source, ring, run, settings.pairThreads().get(k)));
            }
            if (filter.warning() != null) {
                assembly.message(filter.warning());
            }
            Signals.onHangup(() -> pairs.forEach(p -> p.run().output().hangup().run()));
            assembly.interfaceFiguresFromTotals();
            StartupTrace.mark("assembled");
            warmUp.join();
            StartupTrace.mark("warm-up joined");
            Pair first = pairs.getFirst();
            String processed = first.run().processing().describe();
            assembly.startupLine("listening on " + first.source().describe() + " with " + n + " sockets in fanout group "
                            + group + " (" + options.fanoutMode.describe() + "), "
                            + RunSettings.describePlacement(settings.pairThreads(), settings.allowedCpuCount()) + settings.threadsNote() + ", "
                            + RingBudget.describe(options.holdKernelBlocks, kernelPerPair * n, ringPerPair * n,
                                    first.source().linkBits()) + ", ready "
                            + ready + " after launch"
                            + (processed.isEmpty() ? "" : "; " + processed + filter.describeLive()),
                    assembly.outputDescription(first.run().output(), first.run().outputLinkType()).replaceFirst("-pN", "-pK")
                            + ", one file set and one ring per pair", first.ring());
            StartupTrace.mark("start-up line");
            return runPairs(assembly, pairs, control);
        } catch (InputException | SetupException | IOException e) {
            return Outcome.failure(e);
        } finally {
            opened.forEach(LiveSource::close);
        }
    }

    /** Each pair's pipeline on a thread of its own; the calling thread ticks for them all. */
    private static Outcome runPairs(RunAssembly assembly, List<Pair> pairs, RunControl control) throws InterruptedException {
        Options options = assembly.options();
        CaptureCounters totals = new CaptureCounters();
        List<CaptureCounters> parts = pairs.stream().map(Pair::counters).toList();
        Pair first = pairs.getFirst();
        Report totalsReport = new Report(totals, first.ring().capacity(), true, false);
        PrintStream err = System.err;
        Runnable printReport = () -> {
            totals.setToSumOf(parts);
            StringBuilder b = new StringBuilder();
            for (Pair p : pairs) {
                b.append(pairLine(p)).append('\n');
            }
            err.print(b);
            totalsReport.printFinal(err, pairs.stream().mapToLong(p -> p.ring().peakUsed()).max().orElse(0));
        };
        List<Counter> beats = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (Pair p : pairs) {
            beats.add(p.counters().readerBeats);
            roles.add("reader of pair " + p.index());
            beats.add(p.counters().writerBeats);
            roles.add("writer of pair " + p.index());
        }
        RunAssembly.Running running = new RunAssembly.Running(first.ring(), totals, totalsReport, control,
                pairs.stream().map(p -> p.run().writer()).toList(),
                new Liveness(beats.toArray(Counter[]::new), roles.toArray(String[]::new)), printReport, parts,
                pairs.stream().map(Pair::ring).toList(), pairs.stream().map(p -> p.source().interfaceFigures()).toList());
        return assembly.runPipelines(running, elapsed -> totals.setToSumOf(parts), tick -> {
            List<Thread> threads = new ArrayList<>();
            for (Pair p : pairs) {
                Pipeline pipeline = new Pipeline(p.ring(), RunAssembly.readAll(p.source(), p.run().path()), p.run().writer(),
                        control, options.durationSeconds, null, new RoleRunner(p.plan(), assembly::message));
                threads.add(Thread.ofPlatform().name("gulp-pair-" + p.index()).start(() -> runQuietly(pipeline, control)));
            }
            long start = System.nanoTime();
            for (Thread thread : threads) {
                while (thread.isAlive()) {
                    thread.join(500);
                    tick.tick(System.nanoTime() - start);
                }
            }
        });
    }

    private static void runQuietly(Pipeline pipeline, RunControl control) {
        try {
            pipeline.run();
        } catch (InterruptedException e) {
            control.requestStop("interrupted");
        }
    }

    /** "pair 0 (cpu 1/0): 10000 captured, 10000 written, 0 ring full; kernel 10000 received, 0 dropped; ring peak 1.0% of 32 MiB" */
    private static String pairLine(Pair p) {
        CaptureCounters c = p.counters();
        RoleRunner.Plan plan = p.plan();
        return String.format(Locale.ROOT,
                "pair %d (reader cpu %d, writer cpu %d): %d packets captured, %d records written, %d dropped (ring full);"
                        + " kernel: %d received, %d dropped; ring peak %.1f%% of %d MiB",
                p.index(), plan.readerCpu(), plan.writerCpu(), c.packetsRead.get(), c.recordsWritten.get(),
                c.droppedRingFull.get(), c.kernelReceived.get(), c.kernelDropped.get(),
                100.0 * p.ring().peakUsed() / p.ring().capacity(), p.ring().capacity() >> 20);
    }

    /** A pair's share of {@code total}: a multiple of {@code unit}, at least {@code minimum}. */
    static long share(long total, int pairs, long unit, long minimum) {
        return Math.max(minimum, total / pairs / unit * unit);
    }
}
