package gulp.cli;

import gulp.output.RotationPolicy;
import gulp.output.Sink;
import gulp.output.StreamSink;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/** Builds the output of a run from the options: stdout, or rotating files with {@code -o}. */
final class Outputs {
    /** The sink and the policy that tells the writer when to start a new file. */
    record Output(Sink sink, RotationPolicy policy) {
    }

    private Outputs() {
    }

    /**
     * @param fileHeader the bytes every output file starts with (empty for {@code -c})
     * @throws IOException with a one-line message when the output cannot be set up
     */
    static Output create(Options options, byte[] fileHeader) throws IOException {
        StreamSink stdout = new StreamSink(new FileOutputStream(FileDescriptor.out).getChannel(), "stdout", fileHeader);
        return new Output(stdout, RotationPolicy.NEVER);
    }
}
