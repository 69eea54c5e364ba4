package gulp.cli;

import gulp.run.Options;

import java.util.List;

/**
 * One command-line option, as {@link OptionTable} declares it: its names, its argument, where
 * {@code --help} and gulp(1) list it, its help text, what completes its argument in bash, and what
 * it does to {@link Options}. The parser, the help, the man page and the completion all read this,
 * so they cannot disagree.
 *
 * @param shortName the short letter ({@code 0} for none)
 * @param longName the long name without {@code --} (null for none)
 * @param argument the argument's name in help ({@code N}, {@code FILE}), or null for a flag
 * @param section where the help and the man page list it
 * @param help one sentence or two; wrapped by the help and the man page
 * @param completion what bash completes the argument with
 * @param action applies the option (the argument is null for a flag)
 */
record OptionSpec(char shortName, String longName, String argument, Section section, String help,
                  Completion completion, Action action) {

    /** What an option does to the options with its argument (null for flags). */
    @FunctionalInterface
    interface Action {
        void apply(Options options, String argument) throws UsageException;
    }

    /** The sections of {@code --help} and of OPTIONS in gulp(1), in order. */
    enum Section {
        INPUT("Input", null),
        REMOTE("Remote capture", null),
        RING("Ring and writer", null),
        OUTPUT("Output files", "SIGHUP with -o starts a new file; SIGINT/SIGTERM finish the current one."),
        KAFKA("Sending to Kafka (instead of stdout or -o; docs/kafka.md)", "Kafka never slows capture: the ring holds"
                + " what the producer cannot take yet (what it cannot hold is a ring-full loss, as with a stalled disk);"
                + " packets that never reach the broker are counted \"records dropped (kafka)\"."
                + " gulp kafka-consume BOOTSTRAP --topic T -o DIR [file and rotation options, --format] rebuilds files"
                + " from the topic (every partition, any number of boxes), each packet exactly once across crashes and restarts."),
        WATCH("Watching a capture", null),
        SERVICE("Running as a service", "$NOTIFY_SOCKET (systemd Type=notify): READY=1, STATUS=, WATCHDOG=1 (half of"
                + " $WATCHDOG_USEC, while reader and writer progress), STOPPING=1."),
        EXTRACT("Getting packets back (gulp extract DIR..., gulp index DIR...)",
                "gulp extract DIR... merges the packets of every capture file in DIRs (gulp's files, the .part being"
                + " written, other pcap/pcapng files) in time order into one capture; -f, -d, -o and the output"
                + " options apply. gulp index DIR... writes the index of every file that has none (or a stale one)."),
        RUN("Run control", "SIGINT, SIGTERM, SIGHUP (stdout) stop cleanly; SIGUSR1 prints the counters;"
                + " SIGQUIT prints a JVM thread dump on stderr; gulp(1) lists every signal.");

        final String title;
        /** A line the help prints after the section's options (null for none). */
        final String note;

        Section(String title, String note) {
            this.title = title;
            this.note = note;
        }
    }

    /** What completes an option's argument: a kind, or a fixed list of words. */
    record Completion(Kind kind, List<String> words) {
        enum Kind { NONE, INTERFACE, FILE, DIRECTORY, COMMAND, USER, WORDS }

        static final Completion NONE = new Completion(Kind.NONE, List.of());
        static final Completion INTERFACE = new Completion(Kind.INTERFACE, List.of());
        static final Completion FILE = new Completion(Kind.FILE, List.of());
        static final Completion DIRECTORY = new Completion(Kind.DIRECTORY, List.of());
        static final Completion COMMAND = new Completion(Kind.COMMAND, List.of());
        static final Completion USER = new Completion(Kind.USER, List.of());

        static Completion words(String... words) {
            return new Completion(Kind.WORDS, List.of(words));
        }
    }

    OptionSpec {
        if (shortName == 0 && longName == null) {
            throw new IllegalArgumentException("an option needs a name");
        }
    }

    boolean takesArgument() {
        return argument != null;
    }

    /** The name the parser's messages use: {@code -s} when there is a short one, else {@code --read}. */
    String primaryName() {
        return shortName != 0 ? "-" + shortName : "--" + longName;
    }

    /** Every spelling: {@code -s} and {@code --snaplen}. */
    List<String> names() {
        if (shortName == 0) {
            return List.of("--" + longName);
        }
        return longName == null ? List.of("-" + shortName) : List.of("-" + shortName, "--" + longName);
    }
}
