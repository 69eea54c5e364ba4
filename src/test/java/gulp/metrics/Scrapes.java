package gulp.metrics;

import gulp.testing.Tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading what gulp's endpoint and status lines say: the text exposition, promtool, Python's JSON parser. */
final class Scrapes {
    private static final Pattern URL = Pattern.compile("metrics at (http://\\S+/metrics)");

    private Scrapes() {
    }

    /** The endpoint's URL from the start-up line, or null. */
    static String url(String stderr) {
        Matcher m = URL.matcher(stderr);
        return m.find() ? m.group(1).replaceAll("[;,]$", "") : null;
    }

    /** Every sample of a text exposition: {@code name{labels}} (as written) to value. */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** The value of {@code key} ({@code name} or {@code name{label="v"}}), or -1 if absent. */
    static long value(Map<String, Double> samples, String key) {
        Double v = samples.get(key);
        return v == null ? -1 : Math.round(v);
    }

    /** Asserts that {@code promtool check metrics} (Debian's prometheus package) accepts the exposition. */
    static void assertPromtoolAccepts(String exposition, Path temp) throws IOException {
        Path file = Files.writeString(temp.resolve("scrape.prom"), exposition, StandardCharsets.UTF_8);
        Tools.Output check = Tools.run("sh", "-c", "promtool check metrics < '" + file + "'");
        assertEquals(0, check.status(), () -> "promtool: " + check.stdout() + check.stderr() + "\n" + exposition);
    }

    /**
     * Parses every line of {@code --stats-json} output (lines starting with "{") with Python's json
     * module and returns the last object flattened: {@code key} or {@code key/label} to value, plus
     * {@code "lines"} (how many) and {@code "finals"} (how many had "final": true).
     */
    static Map<String, Double> lastJsonObject(Path lines) {
        String script = """
                import json, sys
                objs = []
                for line in open(sys.argv[1], encoding='utf-8'):
                    if line.startswith('{'):
                        objs.append(json.loads(line))
                last = objs[-1]
                print('lines', len(objs))
                print('finals', sum(1 for o in objs if o['final'] is True))
                print('monotonic', int(all(a['gulp_written_records_total'] <= b['gulp_written_records_total'] for a, b in zip(objs, objs[1:]))))
                def walk(prefix, v):
                    if isinstance(v, dict):
                        for k, x in v.items():
                            walk(prefix + '/' + k, x)
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        print(prefix, v)
                for k, v in last.items():
                    walk(k, v)
                """;
        Tools.Output out = Tools.run("/usr/bin/python3", "-c", script, lines.toString());
        assertEquals(0, out.status(), () -> "python3 json: " + out.stderr());
        Map<String, Double> flat = new HashMap<>();
        for (String line : out.stdout().split("\n")) {
            if (!line.isBlank()) {
                int space = line.lastIndexOf(' ');
                flat.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return flat;
    }

    /** The end-of-run counters, also the indented ones ("  248 GRE transparent Ethernet bridging"). */
    static Map<String, Long> counters(String stderr) {
        Map<String, Long> counters = new HashMap<>();
        for (String line : stderr.split("\n")) {
            String t = line.trim();
            int space = t.indexOf(' ');
            if (space > 0 && t.substring(0, space).chars().allMatch(Character::isDigit)) {
                counters.put(t.substring(space + 1), Long.parseLong(t.substring(0, space)));
            }
        }
        return counters;
    }
}
