package gulp.cli;

import gulp.run.Options;

import java.util.Arrays;
import java.util.List;

/**
 * Turns the command line into {@link Options}: the options themselves are declared in
 * {@link OptionTable}; here are the value syntaxes they share (numbers, sizes, seconds) and the
 * combinations that make no sense. Short options are those of the original Gulp.
 */
public final class OptionParser {
    private OptionParser() {
    }

    /** The command line as {@link Main} reads it: a capture's options, or a subcommand ({@code extract}, {@code index}, {@code kafka-consume}) and its. */
    public static Options parse(String[] args) throws UsageException {
        if (ExtractCommand.isSubcommand(args)) {
            return ExtractCommand.parse(args);
        }
        if (KafkaCommand.isConsume(args)) {
            return parse(Arrays.copyOfRange(args, 1, args.length), KafkaCommand.CONSUME);
        }
        return parse(args, null);
    }

    /**
     * @param subcommand {@code "extract"} or {@code "index"} ({@link ExtractCommand}): its options
     *                   are accepted and the operands are its directories; null for a capture
     */
    static Options parse(String[] args, String subcommand) throws UsageException {
        Options o = new Options();
        o.subcommand = subcommand;
        CommandLine cl = new CommandLine(OptionTable.ALL);
        List<String> operands = cl.parse(args, o);
        if (KafkaCommand.CONSUME.equals(subcommand)) {
            o.subcommand = null; // a capture run whose source is the topic
            KafkaCommand.takeBootstrap(o, operands);
        } else if (subcommand != null) {
            ExtractCommand.check(o, operands);
        } else {
            if (!operands.isEmpty()) {
                throw new UsageException("unexpected argument '" + operands.get(0) + "' (input files go after --read)");
            }
            for (OptionSpec spec : OptionTable.ALL) {
                if (spec.section() == OptionSpec.Section.EXTRACT && cl.given(spec.longName())) {
                    throw new UsageException("--" + spec.longName() + " applies to gulp extract only");
                }
            }
        }
        checkCombinations(o, cl.given("direction"));
        return o;
    }

    /**
     * {@code -i NAME} or {@code -i A,B}: adds to the interfaces captured (never replaces an earlier
     * {@code -i}). {@code -i -} (stdin) and {@code -i any} stand alone.
     */
    static void addInterfaces(Options o, String value) throws UsageException {
        if (value.equals("-") || "-".equals(o.interfaceName)) {
            if (o.interfaceName != null) {
                throw new UsageException("-i - (stdin) cannot be combined with another -i");
            }
            o.interfaceName = value;
            return;
        }
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new UsageException("-i " + value + ": empty interface name");
            }
            if (o.interfaces.contains(name)) {
                throw new UsageException("-i " + name + " is given twice");
            }
            o.interfaces.add(name);
        }
        if (o.interfaces.contains("any") && o.interfaces.size() > 1) {
            throw new UsageException("-i any already captures every interface; it cannot be combined with another -i");
        }
        o.interfaceName = o.interfaces.getFirst();
    }

    /** {@code --min-free}: a size (K, M, G, T) or a percentage of the file system. */
    static void parseMinFree(Options o, String value) throws UsageException {
        String v = value.trim();
        if (!v.endsWith("%")) {
            o.minFreeBytes = size("--min-free", v);
            return;
        }
        try {
            o.minFreeFraction = Double.parseDouble(v.substring(0, v.length() - 1)) / 100;
        } catch (NumberFormatException e) {
            o.minFreeFraction = -1;
        }
        if (!(o.minFreeFraction > 0 && o.minFreeFraction < 1)) {
            throw new UsageException("--min-free takes a size such as 10G or a percentage such as 5%, not '" + value + "'");
        }
    }

    private static void checkCombinations(Options o, boolean directionGiven) throws UsageException {
        KafkaCommand.check(o);
        if (o.opaqueCopy && o.pcapng) {
            throw new UsageException("-c copies bytes unchanged; it cannot be combined with --format pcapng");
        }
        if (directionGiven && o.mode() != Options.Mode.LIVE) {
            throw new UsageException("-Q applies to live capture (-i IFACE) only: a capture file does not say a packet's direction");
        }
        if (!o.decapsulate) {
            String lone = o.erspanSessions != null ? "--erspan-session" : o.vnis != null ? "--vni"
                    : o.keepOther ? "--keep-other" : o.erspanTime ? "--erspan-time" : null;
            if (lone != null) {
                throw new UsageException(lone + " only applies with -d (decapsulation)");
            }
        }
        long largestRecord = 16L + o.snaplen + (o.decapsulate ? 14 : 0); // header, frame, synthetic Ethernet
        if (!o.opaqueCopy && o.ringBytes() < largestRecord) {
            throw new UsageException("a ring of " + o.ringMiB + " MiB cannot hold a record of -s " + o.snaplen
                    + " bytes; raise -r or lower -s");
        }
        if (o.opaqueCopy && (o.rotateRingMultiples > 0 || o.rotateBytes > 0 || o.rotatePackets > 0 || o.rotateSeconds > 0)) {
            // The original cut -c streams at arbitrary bytes, leaving unreadable pieces.
            throw new UsageException("-c copies bytes without records, so its output cannot be rotated;"
                    + " drop -C/-G/--rotate-*");
        }
        if (o.opaqueCopy && (o.decapsulate || o.filter != null)) {
            throw new UsageException("-c copies bytes unchanged; it cannot be combined with " + (o.decapsulate ? "-d" : "-f"));
        }
    }

    static long number(String option, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a whole number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", not " + value);
        }
        return n;
    }

    /** A byte count with an optional K, M, G or T suffix (powers of 1024). */
    static long size(String option, String value) throws UsageException {
        String v = value.trim().toUpperCase();
        long unit = 1;
        if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                v = v.substring(0, v.length() - 1);
            }
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes a size such as 500M or 2G, not '" + value + "'");
        }
        if (n <= 0 || n > Long.MAX_VALUE / unit) {
            throw new UsageException(option + " takes a positive size such as 500M or 2G, not '" + value + "'");
        }
        return n * unit;
    }

    static double seconds(String option, String value) throws UsageException {
        double s;
        try {
            s = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes seconds, such as 10 or 0.5, not '" + value + "'");
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new UsageException(option + " takes a positive number of seconds, not '" + value + "'");
        }
        return s;
    }
}
