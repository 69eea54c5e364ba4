package gulp.run;

import gulp.pipeline.OpaqueCopier;
import gulp.pipeline.RunControl;
import gulp.pipeline.Writer;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Report;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;

/** {@code gulp -c}: bytes from stdin to the output through the ring, unchanged. */
final class OpaqueCopyRun {
    private OpaqueCopyRun() {
    }

    static Outcome run(RunAssembly assembly) throws InterruptedException {
        Options options = assembly.options();
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = assembly.allocateRing(arena);
            CaptureCounters counters = new CaptureCounters();
            RunControl control = Signals.attach(new RunControl());
            var input = new FileInputStream(FileDescriptor.in).getChannel();
            OpaqueCopier copier = new OpaqueCopier(input, ring, counters, control, options.parkMicros * 1000);
            Outputs.Output output = assembly.output(gulp.format.FileEnvelope.fixed(new byte[0]), control);
            Writer writer = new Writer(ring, output.sink(), null, null, output.policy(),
                    assembly.writeSize(output.sink()), options.parkMicros * 1000, counters, control);
            Report report = new Report(counters, ring.capacity(), false, true);
            return assembly.runPipeline(ring, copier::run, writer, control, counters, report);
        } catch (SetupException | IOException e) {
            return Outcome.failure(e);
        }
    }
}
