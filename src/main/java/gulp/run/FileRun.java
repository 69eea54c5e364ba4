package gulp.run;

import gulp.capture.CaptureFileSource;
import gulp.capture.InputException;
import gulp.capture.Source;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.function.Consumer;

/** {@code gulp -i -} and {@code gulp --read FILE}: capture files and streams through the ring. */
final class FileRun {
    private FileRun() {
    }

    /**
     * Why the inputs must share one link type, or null when they need not: pcapng output holds
     * several (each input interface is its own), unless a filter or decapsulation, set up for
     * the first input's link type, would misread the others.
     */
    static String oneLinkTypeReason(Options options) {
        if (!options.pcapng) {
            return "one pcap output holds one link type (--format pcapng holds several)";
        }
        if (options.filter != null || options.decapsulate) {
            return (options.filter != null ? "-f" : "-d") + " works on one link type";
        }
        return null;
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        Options options = assembly.options();
        CaptureFileSource source;
        try {
            source = CaptureFileSource.open(options.inputNames(), oneLinkTypeReason(options));
        } catch (InputException e) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, e.getMessage());
        } catch (IOException e) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, "cannot read input: " + e.getMessage());
        }
        StartupTrace.mark("input open");
        return runFrom(assembly, source);
    }

    /** Runs the packets of an open capture source through the ring to the output; closes the source. */
    static Outcome runFrom(RunAssembly assembly, Source source) throws InterruptedException {
        return runFrom(assembly, source, new CaptureCounters(), run -> {
        });
    }

    /**
     * As {@link #runFrom(RunAssembly, Source)}, counting into {@code counters}; {@code assembled}
     * sees the run once it is put together, before its start-up line (e.g. to listen to its files).
     */
    static Outcome runFrom(RunAssembly assembly, Source source, CaptureCounters counters,
                           Consumer<RunAssembly.PacketRun> assembled) throws InterruptedException {
        try (source; Arena arena = Arena.ofShared()) {
            ByteRing ring = assembly.allocateRing(arena);
            StartupTrace.mark("ring allocated");
            RunAssembly.PacketRun run = assembly.assemble(source, null, ring, counters);
            StartupTrace.mark("assembled");
            assembled.accept(run);
            String processed = run.processing().describe();
            assembly.startupLine("reading " + source.describe() + (processed.isEmpty() ? "" : "; " + processed),
                    assembly.outputDescription(run.output(), run.outputLinkType()), ring);
            run.processing().install(run.path(), run.report());
            StartupTrace.mark("start-up line");
            Outcome outcome = assembly.runPipeline(ring, RunAssembly.readAll(source, run.path()), run.writer(),
                    run.control(), counters, run.report());
            StartupTrace.mark("run done");
            return outcome;
        } catch (SetupException | IOException e) {
            return Outcome.failure(e);
        } finally {
            StartupTrace.mark("ring unmapped");
        }
    }
}
