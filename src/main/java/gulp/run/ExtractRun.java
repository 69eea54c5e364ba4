package gulp.run;

import gulp.extract.Extraction;
import gulp.extract.MergeSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

/** {@code gulp extract}: the packets of a time window (and filter) from directories of capture files, through the ring. */
final class ExtractRun {
    private ExtractRun() {
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        Options options = assembly.options();
        Extraction extraction;
        try {
            extraction = Extraction.prepare(directories(options), options.extractFrom, options.extractTo, options.filter,
                    options.decapsulate, assembly::message);
        } catch (IOException e) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, "cannot read " + e.getMessage());
        }
        if (options.extractList) {
            extraction.list(System.out, ZoneId.systemDefault());
            return Outcome.OK;
        }
        MergeSource source = extraction.source();
        // The output keeps the inputs' resolution and lengths, so the packets come out as they were stored.
        options.nanosecond |= source.nanosecond();
        options.snaplen = Math.max(options.snaplen, source.snaplen());
        if (!options.quiet && extraction.skippedBySummary() > 0) {
            assembly.message(extraction.skippedBySummary() + " files skipped: their index shows no packet the filter can match");
        }
        return FileRun.runFrom(assembly, source);
    }

    /** {@code gulp index DIR...}. */
    static Outcome index(RunAssembly assembly) {
        try {
            int written = Extraction.indexDirectories(directories(assembly.options()), assembly::message);
            if (!assembly.options().quiet) {
                assembly.message("wrote " + written + (written == 1 ? " index" : " indexes"));
            }
            return Outcome.OK;
        } catch (IOException e) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, "cannot read " + e.getMessage());
        }
    }

    private static List<Path> directories(Options options) {
        return options.extractDirectories.stream().map(Path::of).toList();
    }
}
