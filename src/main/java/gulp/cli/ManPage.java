package gulp.cli;

import gulp.cli.OptionSpec.Section;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * gulp(1) in troff: the text of {@code gulp.1.in} (description, signals, exit status, files,
 * examples) with its OPTIONS made from {@link OptionTable}.
 */
final class ManPage {
    private ManPage() {
    }

    static String text(List<OptionSpec> options) {
        String template;
        try (InputStream in = ManPage.class.getResourceAsStream("gulp.1.in")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder page = new StringBuilder();
        for (String line : template.split("\n")) {
            if (line.equals("@OPTIONS@")) {
                options(page, options);
            } else if (!line.startsWith(".\\\"")) {
                page.append(line.replace("@VERSION@", Main.VERSION)).append('\n');
            }
        }
        return page.toString();
    }

    private static void options(StringBuilder page, List<OptionSpec> options) {
        for (Section section : Section.values()) {
            page.append(".SS ").append(section.title).append('\n');
            for (OptionSpec o : options) {
                if (o.section() == section) {
                    page.append(".TP\n");
                    StringBuilder names = new StringBuilder();
                    for (String name : o.names()) {
                        names.append(names.isEmpty() ? "" : ", ").append("\\fB").append(escape(name)).append("\\fR");
                    }
                    if (o.takesArgument()) {
                        names.append(" \\fI").append(escape(o.argument())).append("\\fR");
                    }
                    page.append(names).append('\n').append(line(o.help())).append('\n');
                }
            }
        }
    }

    /** One line of running text: a leading dot or quote would be a request. */
    private static String line(String text) {
        String escaped = escape(text);
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    /** troff escapes: backslash, and hyphens as minus signs (so options can be searched and copied). */
    static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-");
    }
}
