package gulp.cli;

import gulp.cli.OptionSpec.Section;

import java.util.ArrayList;
import java.util.List;

/** The --help text, made from {@link OptionTable}. */
final class Usage {
    private static final int WIDTH = 79;
    private static final int HELP_COLUMN = 24;

    private static final String HEAD = """
            Usage: gulp [options] > file.pcap
                   gulp extract DIR... [--from TIME] [--to TIME] [-f EXPR] [-d] [options] > out.pcap
                   gulp index DIR...
                   gulp kafka-consume BOOTSTRAP --topic T -o DIR [options]
            Lossless packet capture: a reader thread fills a large ring buffer, a writer thread
            empties it to the output in big blocks.
            """;
    private static final String TAIL = """
            Exit status: 0 success, 1 internal or resource failure, 2 bad usage,
            3 input error, 4 output error. More: man gulp.
            """;

    static final String TEXT = text(OptionTable.ALL);

    private Usage() {
    }

    static String text(List<OptionSpec> options) {
        StringBuilder out = new StringBuilder(HEAD);
        for (Section section : Section.values()) {
            out.append('\n').append(section.title).append('\n');
            for (OptionSpec o : options) {
                if (o.section() == section) {
                    entry(out, synopsis(o), o.help());
                }
            }
            if (section.note != null) {
                for (String line : wrap(section.note, WIDTH - 2)) {
                    out.append("  ").append(line).append('\n');
                }
            }
        }
        return out.append('\n').append(TAIL).toString();
    }

    /** {@code -s, --snaplen N}, {@code --read FILE}, {@code -t}. */
    static String synopsis(OptionSpec o) {
        String names = String.join(", ", o.names());
        return o.takesArgument() ? names + " " + o.argument() : names;
    }

    private static void entry(StringBuilder out, String synopsis, String help) {
        String first = "  " + synopsis;
        List<String> lines = wrap(help, WIDTH - HELP_COLUMN);
        if (first.length() + 2 > HELP_COLUMN) {
            out.append(first).append('\n');
        } else {
            out.append(first).append(" ".repeat(HELP_COLUMN - first.length())).append(lines.removeFirst()).append('\n');
        }
        for (String line : lines) {
            out.append(" ".repeat(HELP_COLUMN)).append(line).append('\n');
        }
    }

    /** Breaks {@code text} at spaces into lines of at most {@code width} characters (longer words stay whole). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
