package gulp.run;

import gulp.testing.GulpProcess;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up of a live capture (on lo; nothing is sent): it listens (bind) before it sets up
 * gulp's ring and the output, so the kernel ring keeps what arrives meanwhile; the stages are
 * printed only with GULP_STARTUP_TRACE; an AOT cache trained by {@code gulp.cli.AotTraining}
 * holds the live path's classes and extraction's. {@code --fanout} binds all its sockets as early.
 */
class LiveStartupTest {
    @TempDir
    Path temp;

    private String capture(boolean trace, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("-i", "lo", "--duration", "0.3", "-B", "16", "-r", "16"));
        args.addAll(List.of(more));
        ProcessBuilder builder = GulpProcess.builder(args);
        if (trace) {
            builder.environment().put("GULP_STARTUP_TRACE", "1");
        } else {
            builder.environment().remove("GULP_STARTUP_TRACE");
        }
        builder.redirectOutput(temp.resolve("out.pcap").toFile());
        builder.redirectError(temp.resolve("err.txt").toFile());
        Process gulp = builder.start();
        assertTrue(gulp.waitFor(60, TimeUnit.SECONDS), "gulp did not stop");
        String err = Files.readString(temp.resolve("err.txt"));
        assertEquals(0, gulp.exitValue(), err);
        return err;
    }

    private static double stage(List<String> lines, String name) {
        String line = lines.stream().filter(l -> l.startsWith("gulp: startup ") && l.contains(" " + name + " ["))
                .findFirst().orElseThrow(() -> new AssertionError("no stage " + name + " in " + lines));
        return Double.parseDouble(line.split(" ")[2]);
    }

    @Test
    void liveCaptureListensBeforeItSetsUpItsRingAndOutput() throws Exception {
        List<String> lines = capture(true).lines().toList();
        double bound = stage(lines, "bound (listening)");
        double ring = stage(lines, "ring allocated");
        double startupLine = stage(lines, "start-up line");
        assertTrue(bound <= ring && ring <= startupLine, lines::toString);
        List<String> order = lines.stream().filter(l -> l.startsWith("gulp: startup ")).toList();
        assertTrue(indexOf(order, "bound (listening)") < indexOf(order, "ring allocated"), order::toString);
        assertTrue(indexOf(order, "ring allocated") < indexOf(order, "assembled"), order::toString);
        String ready = lines.stream().filter(l -> l.contains("ready ")).findFirst().orElseThrow()
                .replaceAll(".*ready ([0-9.]+) s after launch.*", "$1");
        assertTrue(Double.parseDouble(ready) <= startupLine + 0.01, ready + " vs " + startupLine);
    }

    @Test
    void fanoutListensOnEverySocketBeforeItSetsUpItsRingsAndOutputs() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("fanout"));
        List<String> lines = capture(true, "--fanout", "2", "-o", dir.toString()).lines().toList();
        List<String> order = lines.stream().filter(l -> l.startsWith("gulp: startup ")).toList();
        assertTrue(indexOf(order, "sockets and kernel rings open") < indexOf(order, "bound (listening)"), order::toString);
        assertTrue(indexOf(order, "bound (listening)") < indexOf(order, "rings allocated"), order::toString);
        assertTrue(indexOf(order, "rings allocated") < indexOf(order, "assembled"), order::toString);
        assertTrue(indexOf(order, "assembled") < indexOf(order, "start-up line"), order::toString);
        String ready = lines.stream().filter(l -> l.contains("fanout group") && l.contains("ready ")).findFirst()
                .orElseThrow(() -> new AssertionError(lines.toString()))
                .replaceAll(".*ready ([0-9.]+) s after launch.*", "$1");
        // "ready" is the bind: the bound stage, within the 10 ms ticks and the rounding of the two clocks
        assertTrue(Double.parseDouble(ready) <= stage(lines, "bound (listening)") + 0.02, ready + " vs " + lines);
    }

    private static int indexOf(List<String> lines, String stage) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(" " + stage + " [")) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void withoutTheTraceVariableNoStageIsPrinted() throws Exception {
        String err = capture(false);
        assertTrue(err.contains("listening on lo"), err);
        assertTrue(err.lines().noneMatch(l -> l.startsWith("gulp: startup ")), err);
    }

    @Test
    void anAotCacheTrainedOnTheLiveRunHoldsTheLivePathAndExtraction() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path jdk = Path.of(java).getParent().getParent();
        Path jar = temp.resolve("gulp.jar"); // an AOT cache needs jars on the class path, not directories
        Tools.check(jdk.resolve("bin/jar").toString(), "--create", "--file", jar.toString(),
                "-C", GulpProcess.classesDirectory().toString(), ".");
        Path pcap = temp.resolve("t.pcap");
        Files.write(pcap, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 1, 0, 0, 0});
        Path cache = temp.resolve("gulp.aot");
        Files.createDirectory(temp.resolve("live"));
        List<String> training = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:AOTCacheOutput=" + cache, "-Xlog:disable", "-cp", jar.toString(), "gulp.cli.AotTraining",
                pcap.toString(), "lo", temp.resolve("live").toString()));
        ProcessBuilder train = new ProcessBuilder(training).redirectOutput(temp.resolve("trained.pcap").toFile())
                .redirectError(temp.resolve("training.txt").toFile());
        Process trainer = train.start();
        assertTrue(trainer.waitFor(120, TimeUnit.SECONDS), "the training did not end");
        assertEquals(0, trainer.exitValue(), Files.readString(temp.resolve("training.txt")));
        assertTrue(Files.isRegularFile(cache));

        Path classes = temp.resolve("classes.txt");
        ProcessBuilder run = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-Xlog:disable", "-Xlog:class+load=info:file=" + classes,
                "-cp", jar.toString(), "gulp.cli.Main", "-i", "lo", "--duration", "0.2", "-B", "16", "-r", "16")
                .redirectOutput(temp.resolve("out.pcap").toFile()).redirectError(temp.resolve("run.txt").toFile());
        Process gulp = run.start();
        assertTrue(gulp.waitFor(60, TimeUnit.SECONDS), "gulp did not stop");
        assertEquals(0, gulp.exitValue(), Files.readString(temp.resolve("run.txt")));
        assertFromTheCache(classes, List.of("gulp.run.LiveRun", "gulp.capture.LiveSource", "gulp.linux.PacketSocket",
                "gulp.capture.BlockWalker"));

        // the training ran an extraction too: gulp extract starts with its catalog and merge in the cache
        Path extracted = temp.resolve("extract-classes.txt");
        ProcessBuilder extract = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-Xlog:disable", "-Xlog:class+load=info:file=" + extracted,
                "-cp", jar.toString(), "gulp.cli.Main", "extract", temp.resolve("live").toString(), "--from", "-1h", "--to", "now")
                .redirectOutput(temp.resolve("window.pcap").toFile()).redirectError(temp.resolve("extract.txt").toFile());
        Process extraction = extract.start();
        assertTrue(extraction.waitFor(60, TimeUnit.SECONDS), "gulp extract did not end");
        assertEquals(0, extraction.exitValue(), Files.readString(temp.resolve("extract.txt")));
        assertFromTheCache(extracted, List.of("gulp.extract.Catalog", "gulp.extract.Extraction", "gulp.extract.MergeSource",
                "gulp.extract.PcapCursor"));
    }

    private static void assertFromTheCache(Path classLoadLog, List<String> names) throws Exception {
        List<String> loaded = Files.readAllLines(classLoadLog);
        for (String name : names) {
            String line = loaded.stream().filter(l -> l.contains(" " + name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " not loaded"));
            assertTrue(line.contains("shared objects file"), line);
        }
    }
}
