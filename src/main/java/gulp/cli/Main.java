package gulp.cli;

import gulp.run.Options;
import gulp.run.Outcome;
import gulp.run.Run;
import gulp.run.Signals;

import java.io.PrintStream;

/**
 * The {@code gulp} command: parses the command line, prints help and usage errors, hands the
 * options to {@link Run} and maps its outcome to the exit status.
 */
public final class Main {
    public static final String VERSION = gulp.Version.NUMBER;

    /** Exit statuses (documented in the README). */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INPUT = 3;
    public static final int EXIT_OUTPUT = 4;

    private final PrintStream err;

    Main(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status;
        try {
            // First, before anything can block: no signal may meet its default meanwhile.
            gulp.run.StartupTrace.mark("main");
            Signals.install();
            gulp.run.StartupTrace.mark("signals installed");
            status = new Main(System.err).run(args);
        } catch (Throwable e) {
            System.err.println("gulp: internal error: " + e);
            status = EXIT_FAILURE;
        }
        gulp.run.StartupTrace.mark("exit");
        System.exit(status);
    }

    int run(String[] args) throws InterruptedException {
        if (args.length == 2 && args[0].equals("--generate")) {
            return generate(args[1]);
        }
        Options options;
        try {
            options = OptionParser.parse(args);
            gulp.run.StartupTrace.mark("options parsed");
        } catch (UsageException e) {
            message(e.getMessage());
            if (!ExtractCommand.isSubcommand(args)) {
                err.println("Try 'gulp --help' for more information.");
            }
            return EXIT_USAGE;
        }
        if (options.showHelp) {
            System.out.print(Usage.TEXT);
            return EXIT_OK;
        }
        if (options.listInterfaces) {
            System.out.print(InterfaceList.text());
            System.out.flush();
            return EXIT_OK;
        }
        if (options.showVersion) {
            err.println("gulp " + VERSION + " (Java " + Runtime.version() + ")");
            return EXIT_OK;
        }
        Outcome outcome = Run.execute(options, err);
        if (outcome.message() != null) {
            message(outcome.message());
        }
        return exitStatus(outcome.status());
    }

    /**
     * {@code gulp --generate man|completion}: prints gulp(1) or the bash completion, made from the
     * option table like --help (bin/package runs it; not a user option).
     */
    private int generate(String what) {
        String text = switch (what) {
            case "man" -> ManPage.text(OptionTable.ALL);
            case "completion" -> BashCompletion.text(OptionTable.ALL);
            default -> null;
        };
        if (text == null) {
            message("--generate takes man or completion, not '" + what + "'");
            return EXIT_USAGE;
        }
        System.out.print(text);
        System.out.flush();
        return EXIT_OK;
    }

    /** The exit status the README documents for each outcome. */
    static int exitStatus(Outcome.Status status) {
        return switch (status) {
            case OK -> EXIT_OK;
            case FAILED -> EXIT_FAILURE;
            case BAD_USAGE -> EXIT_USAGE;
            case BAD_INPUT -> EXIT_INPUT;
            case OUTPUT_FAILED -> EXIT_OUTPUT;
        };
    }

    /** Prints one line of gulp's messages on stderr ("gulp: ..."). */
    private void message(String text) {
        err.println("gulp: " + text);
    }
}
