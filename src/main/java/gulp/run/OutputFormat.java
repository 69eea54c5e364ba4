package gulp.run;

import gulp.cli.Main;
import gulp.format.PcapngBlocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a pcapng file says about its writer: the section header's hardware, OS and application, {@code if_os}. */
final class OutputFormat {
    private static final byte[] SECTION_HEADER = PcapngBlocks.sectionHeader(hardware(), operatingSystem(),
            "gulp " + Main.VERSION);

    private OutputFormat() {
    }

    /** The section header every pcapng file of this process starts with (the same bytes each time). */
    static byte[] sectionHeader() {
        return SECTION_HEADER.clone();
    }

    /** e.g. {@code Linux 6.12.0-1-amd64}: {@code shb_os} and {@code if_os}. */
    static String operatingSystem() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** The CPU's model name and the machine's architecture, e.g. {@code x86_64 (AMD EPYC 7B13)}. */
    static String hardware() {
        String arch = System.getProperty("os.arch");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return arch + " (" + line.substring(line.indexOf(':') + 1).trim() + ")";
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not known: the architecture alone.
        }
        return arch;
    }

    static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
