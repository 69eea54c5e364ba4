package gulp.testing;

import gulp.capture.CaptureFileBufferEndFuzzTest;
import gulp.capture.CaptureFileFuzzTest;
import gulp.decap.DecapsulatorFuzzTest;
import gulp.filter.BpfFuzzTest;
import gulp.filter.BpfProgramTextFuzzTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the generated seeds of the fuzz tests into their Jazzer inputs directories
 * ({@code src/test/resources/<package>/<Class>Inputs/<method>/}), next to the seeds copied from
 * real captures. Run from the repository root (docs/fuzzing.md):
 * {@code java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes gulp.testing.FuzzSeeds}
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    /** Seeds of one fuzz test method: file name to bytes. */
    public record Seeds(Class<?> test, String method, Map<String, byte[]> files) {
        public Path directory(Path resources) {
            return resources.resolve(test.getPackageName().replace('.', '/'))
                    .resolve(test.getSimpleName() + "Inputs").resolve(method);
        }
    }

    public static void main(String[] args) throws Exception {
        Path resources = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        for (Seeds seeds : new Seeds[] {CaptureFileFuzzTest.seeds(), CaptureFileBufferEndFuzzTest.seeds(), DecapsulatorFuzzTest.seeds(),
                BpfFuzzTest.seeds(), BpfProgramTextFuzzTest.seeds()}) {
            Path dir = seeds.directory(resources);
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> file : seeds.files().entrySet()) {
                Files.write(dir.resolve(file.getKey()), file.getValue());
            }
            System.out.println(dir + ": " + seeds.files().size() + " generated seeds");
        }
    }
}
