package gulp.cli;

import gulp.extract.TimeSpec;
import gulp.run.Options;

import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * {@code gulp extract DIR... [--from TIME] [--to TIME] [--list] [-f EXPR] [-d] [-o DIR ...]} and
 * {@code gulp index DIR...}: the subcommand word, extraction's own options (added to the usual
 * ones, which keep their meaning for the output) and its directories.
 */
final class ExtractCommand {
    private ExtractCommand() {
    }

    static boolean isSubcommand(String[] args) {
        return args.length > 0 && (args[0].equals("extract") || args[0].equals("index"));
    }

    static Options parse(String[] args) throws UsageException {
        return OptionParser.parse(Arrays.copyOfRange(args, 1, args.length), args[0]);
    }

    /** {@code --from}/{@code --to}: a time (see {@link TimeSpec}), relative ones from now, in the local zone. */
    static long time(String option, String value) throws UsageException {
        try {
            return TimeSpec.parse(value, System.currentTimeMillis() * 1_000_000L, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    /** The directories, and combinations an extraction refuses. */
    static void check(Options o, List<String> operands) throws UsageException {
        if (operands.isEmpty()) {
            throw new UsageException("gulp " + o.subcommand + " needs at least one directory of capture files");
        }
        o.extractDirectories.addAll(operands);
        if (o.extractFrom >= o.extractTo) {
            throw new UsageException("--from must be before --to (the window includes --from and excludes --to)");
        }
        if (o.interfaceName != null || !o.readFiles.isEmpty() || o.opaqueCopy) {
            throw new UsageException("gulp " + o.subcommand + " reads its directories; -i, --read and -c do not apply");
        }
        if (o.subcommand.equals("index") && (o.filter != null || o.outputDirectory != null || o.extractList
                || o.extractFrom != Long.MIN_VALUE || o.extractTo != Long.MAX_VALUE)) {
            throw new UsageException("gulp index DIR... takes only directories");
        }
    }
}
