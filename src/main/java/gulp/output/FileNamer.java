package gulp.output;

import gulp.format.Timestamps;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the output files of {@code -o}. Names sort in the order the files were started and
 * never collide: every name carries a sequence number that only grows during a run, and a plain
 * numbered run continues after the highest number already in the directory.
 *
 * <ul>
 * <li>plain: {@code PREFIX000042.pcap} (6 digits, or more if {@code -W} needs them);</li>
 * <li>{@code -t}: {@code PREFIX_20261126-063512.123_000042.pcap} (UTC, milliseconds, then the sequence);</li>
 * <li>template: strftime-style {@code %Y %m %d %H %M %S %j %s}, {@code %L} (milliseconds),
 *     {@code %{seq}} (the sequence number), {@code %{name}} (the prefix), {@code %%}; UTC. Without
 *     {@code %{seq}} the template gets {@code _%{seq}} appended; {@code .pcap} is appended unless the
 *     name already ends with it.</li>
 * </ul>
 */
public final class FileNamer {
    /** The suffix of every classic pcap output file. */
    public static final String EXTENSION = ".pcap";
    /** The suffix of pcapng output files ({@code --format pcapng}). */
    public static final String PCAPNG_EXTENSION = ".pcapng";
    /** Hidden temporary name of a file being written: {@code .NAME.part}. */
    public static final String PART_PREFIX = ".";
    public static final String PART_SUFFIX = ".part";
    /** The suffix of an index beside its capture file: {@code NAME.idx} ({@link #indexName}). */
    public static final String INDEX_SUFFIX = ".idx";
    /** An index is stored as its name + this, then renamed over its name (so a reader never sees half of one). */
    public static final String STORE_TEMP_SUFFIX = ".tmp";
    private static final int MIN_SEQUENCE_DIGITS = 6;
    /** The highest sequence number gulp uses: a file a millisecond for 30,000 years. */
    public static final long MAX_SEQUENCE = 999_999_999_999_999L;

    private final String template;
    private final String prefix;
    private final int sequenceDigits;
    private final String extension;
    private final Pattern sequencePattern; // built once: names are matched against it per directory entry
    private long nextSequence;

    private FileNamer(String template, String prefix, int sequenceDigits, String extension) {
        this.template = template;
        this.prefix = prefix;
        this.sequenceDigits = sequenceDigits;
        this.extension = extension;
        this.sequencePattern = sequencePattern();
    }

    /** This naming scheme with names ending in {@code extension} (e.g. {@link #PCAPNG_EXTENSION}). */
    public FileNamer withExtension(String extension) {
        return new FileNamer(template, prefix, sequenceDigits, extension);
    }

    /** The extension of a gulp output file name, or "" ({@code .pcapng} or {@code .pcap}). */
    static String extensionOf(String name) {
        return name.endsWith(PCAPNG_EXTENSION) ? PCAPNG_EXTENSION : name.endsWith(EXTENSION) ? EXTENSION : "";
    }

    /**
     * @param nameTemplate     {@code --name-template}, or null
     * @param timestamped      {@code -t}
     * @param maxFiles         {@code -W} (0 = none): the sequence is at least wide enough for it
     * @throws OutputException when the template is unusable
     */
    public static FileNamer of(String prefix, boolean timestamped, String nameTemplate, long maxFiles)
            throws OutputException {
        if (prefix.contains("/") || prefix.startsWith(".")) {
            throw new OutputException("-n " + prefix + ": a name prefix must not contain '/' or start with '.'");
        }
        int digits = Math.max(MIN_SEQUENCE_DIGITS, Long.toString(Math.max(0, maxFiles - 1)).length());
        String template;
        if (nameTemplate != null) {
            template = nameTemplate.contains("%{seq}") ? nameTemplate : nameTemplate + "_%{seq}";
        } else if (timestamped) {
            template = "%{name}_%Y%m%d-%H%M%S.%L_%{seq}";
        } else {
            template = "%{name}%{seq}";
        }
        FileNamer namer = new FileNamer(template, prefix, digits, EXTENSION);
        String probe = namer.format(0, 0);
        if (probe.contains("/") || probe.startsWith(".") || probe.isEmpty()) {
            throw new OutputException("--name-template " + nameTemplate
                    + ": file names must not contain '/' or start with '.'");
        }
        return namer;
    }

    /**
     * Continue numbering after the highest sequence number of existing names made by this namer.
     * Numbers above {@link #MAX_SEQUENCE} are ignored, with one line to {@code report}: no run gets
     * there, and a planted {@code pcap9223372036854775806.pcap} must not make later numbers overflow.
     */
    public void continueAfter(Iterable<String> existingNames, Consumer<String> report) {
        Pattern pattern = sequencePattern;
        int ignored = 0;
        String example = null;
        for (String name : existingNames) {
            Matcher m = pattern.matcher(name);
            if (!m.matches()) {
                continue;
            }
            String digits = m.group(1);
            long sequence = digits.length() <= 18 ? Long.parseLong(digits) : Long.MAX_VALUE;
            if (sequence > MAX_SEQUENCE) {
                ignored++;
                example = example == null ? name : example;
            } else {
                nextSequence = Math.max(nextSequence, sequence + 1);
            }
        }
        if (ignored > 0) {
            report.accept("warning: ignoring " + (ignored == 1 ? example : ignored + " files such as " + example)
                    + " for the numbering: sequence numbers above " + MAX_SEQUENCE + " are not gulp's");
        }
    }

    /** True if {@code name} is a name this namer makes (the final name, not the {@code .part} one). */
    public boolean makes(String name) {
        Matcher m = sequencePattern.matcher(name);
        return m.matches() && m.group(1).length() <= 18 && Long.parseLong(m.group(1)) <= MAX_SEQUENCE;
    }

    /** The next file name (the sequence number advances). */
    public String next(long wallClockNanos) {
        return format(nextSequence++, wallClockNanos);
    }

    /** Makes {@link #next} return the same sequence number again (its file could not be created). */
    public void reuseLast() {
        if (nextSequence > 0) {
            nextSequence--;
        }
    }

    /** The temporary name of a file being written. */
    public static String partName(String finalName) {
        return PART_PREFIX + finalName + PART_SUFFIX;
    }

    /** The name of the extraction index kept beside file {@code finalName} ({@code NAME.idx}; never a capture name). */
    public static String indexName(String finalName) {
        return finalName + INDEX_SUFFIX;
    }

    /** The file whose index {@code name} ({@link #indexName}) is, or null if {@code name} is not an index's name. */
    public static String finalNameOfIndex(String name) {
        return name.endsWith(INDEX_SUFFIX) && name.length() > INDEX_SUFFIX.length()
                ? name.substring(0, name.length() - INDEX_SUFFIX.length()) : null;
    }

    /** The final name of a temporary name, or null if {@code name} is not one. */
    public static String finalNameOfPart(String name) {
        if (name.startsWith(PART_PREFIX) && name.endsWith(PART_SUFFIX)
                && name.length() > PART_PREFIX.length() + PART_SUFFIX.length()) {
            return name.substring(PART_PREFIX.length(), name.length() - PART_SUFFIX.length());
        }
        return null;
    }

    String format(long sequence, long wallClockNanos) {
        ZonedDateTime t = Instant.ofEpochSecond(Timestamps.seconds(wallClockNanos),
                Timestamps.fraction(wallClockNanos, true)).atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 == template.length()) {
                out.append(c);
                continue;
            }
            char f = template.charAt(++i);
            switch (f) {
                case 'Y' -> pad(out, t.getYear(), 4);
                case 'm' -> pad(out, t.getMonthValue(), 2);
                case 'd' -> pad(out, t.getDayOfMonth(), 2);
                case 'H' -> pad(out, t.getHour(), 2);
                case 'M' -> pad(out, t.getMinute(), 2);
                case 'S' -> pad(out, t.getSecond(), 2);
                case 'j' -> pad(out, t.getDayOfYear(), 3);
                case 'L' -> pad(out, t.getNano() / 1_000_000, 3);
                case 's' -> out.append(t.toEpochSecond());
                case '%' -> out.append('%');
                case '{' -> {
                    int close = template.indexOf('}', i);
                    String key = close < 0 ? "" : template.substring(i + 1, close);
                    switch (key) {
                        case "seq" -> pad(out, sequence, sequenceDigits);
                        case "name" -> out.append(prefix);
                        default -> {
                            out.append('%').append('{');
                            continue;
                        }
                    }
                    i = close;
                }
                default -> out.append('%').append(f);
            }
        }
        if (!out.toString().endsWith(extension)) {
            out.append(extension);
        }
        return out.toString();
    }

    /** Matches names of this namer, group 1 being the sequence number. */
    private Pattern sequencePattern() {
        String marker = "\u0000SEQ\u0000";
        // Time fields become digit runs.
        StringBuilder regex = new StringBuilder();
        String withMarker = template.replace("%{seq}", marker).replace("%{name}", prefix);
        for (int i = 0; i < withMarker.length(); i++) {
            char c = withMarker.charAt(i);
            if (withMarker.startsWith(marker, i)) {
                regex.append("(\\d{").append(sequenceDigits).append(",})");
                i += marker.length() - 1;
            } else if (c == '%' && i + 1 < withMarker.length()) {
                char f = withMarker.charAt(++i);
                regex.append(f == '%' ? "%" : "\\d+");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (!template.endsWith(extension)) {
            regex.append(Pattern.quote(extension));
        }
        return Pattern.compile(regex.toString());
    }

    private static StringBuilder pad(StringBuilder out, long value, int digits) {
        String s = Long.toString(value);
        for (int i = s.length(); i < digits; i++) {
            out.append('0');
        }
        return out.append(s);
    }
}
