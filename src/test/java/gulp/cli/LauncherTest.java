package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.Tools;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The development launcher bin/gulp, in a copy of a checkout whose PATH has no Maven (so any
 * attempt to build shows): it runs an existing jar even when it is older than the sources, saying
 * so in one line; it builds only when asked; where there is neither jar nor source it says so.
 */
class LauncherTest {
    @TempDir
    Path checkout;
    private Path jdk;
    private Path tools;

    @BeforeEach
    void copyTheLauncherAndAJar() throws Exception {
        Files.createDirectories(checkout.resolve("bin/lib"));
        Files.copy(Path.of("bin/gulp"), checkout.resolve("bin/gulp"));
        // all of bin/lib: the launcher sources its helpers (find-java.sh, jvm-flags.sh, ...)
        try (var lib = Files.list(Path.of("bin/lib"))) {
            for (Path file : lib.toList()) {
                Files.copy(file, checkout.resolve("bin/lib").resolve(file.getFileName()));
            }
        }
        jdk = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();
        Files.createDirectories(checkout.resolve("target"));
        Tools.check(jdk.resolve("bin/jar").toString(), "--create", "--file", checkout.resolve("target/gulp.jar").toString(),
                "--main-class", "gulp.cli.Main", "-C", GulpProcess.classesDirectory().toString(), ".");
        tools = Files.createDirectory(checkout.resolve("tools"));
        for (String tool : List.of("bash", "dirname", "readlink", "find", "sed", "head", "mktemp", "rm", "touch")) {
            // a script, not a link: JUnit warns about links out of a temporary directory
            Path script = tools.resolve(tool);
            Files.writeString(script, "#!/bin/sh\nexec " + Tools.check("bash", "-c", "command -v " + tool).strip() + " \"$@\"\n");
            script.toFile().setExecutable(true);
        }
    }

    private Tools.Output launch(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=" + tools, "JAVA_HOME=" + jdk, "GULP_AOT=0",
                checkout.resolve("bin/gulp").toString()));
        command.addAll(List.of(args));
        return Tools.run(command.toArray(String[]::new));
    }

    private void sourcesNewerThanTheJar() throws Exception {
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.createDirectories(checkout.resolve("src/main"));
        Files.setLastModifiedTime(checkout.resolve("target/gulp.jar"), FileTime.from(Instant.now().minusSeconds(3600)));
    }

    @Test
    void aJarOlderThanTheSourcesRunsAfterOneLineWithoutBuilding() throws Exception {
        sourcesNewerThanTheJar();
        Tools.Output run = launch("-v");
        assertEquals(0, run.status(), run.stderr());
        List<String> lines = run.stderr().lines().toList();
        assertEquals(2, lines.size(), run.stderr());
        assertEquals("gulp: " + checkout.resolve("target/gulp.jar") + " is older than the sources; running it anyway"
                + " (bin/gulp --build rebuilds)", lines.get(0));
        assertTrue(lines.get(1).startsWith("gulp " + Main.VERSION), run.stderr());
    }

    @Test
    void anUpToDateJarRunsSilently() {
        Tools.Output run = launch("-v");
        assertEquals(0, run.status(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
    }

    @Test
    void aBuildIsOnlyTriedWhenAskedOrWithoutAJar() throws Exception {
        sourcesNewerThanTheJar();
        Tools.Output asked = launch("--build", "-v");
        assertEquals(1, asked.status());
        assertEquals("gulp: no build found and Maven is missing; install it (apt-get install maven)", asked.stderr().strip());
        Files.delete(checkout.resolve("pom.xml"));
        Files.delete(checkout.resolve("target/gulp.jar"));
        Tools.Output nothing = launch("-v");
        assertEquals(1, nothing.status());
        assertEquals("gulp: no " + checkout.resolve("target/gulp.jar") + " and no sources beside it to build it from",
                nothing.stderr().strip());
    }
}
