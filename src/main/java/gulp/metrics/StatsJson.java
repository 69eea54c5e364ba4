package gulp.metrics;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code --stats-json FILE|-}: the run's figures as one JSON object per line, at every status tick
 * and once more at the end ({@code "final":true}), for scripts and log shippers. Keys are the
 * metric names of {@code --metrics}; a figure with labels is an object keyed by its label values,
 * nested in label order ({@code "gulp_captured_packets_total":{"eth1":1234}}). {@code -} is
 * stderr (stdout carries the capture unless {@code -o}); a FILE is appended to.
 */
final class StatsJson implements AutoCloseable {
    private final PrintStream out;
    private final boolean ownsStream;
    private final String name;
    private final Consumer<String> warn;
    private boolean failed;

    private StatsJson(PrintStream out, boolean ownsStream, String name, Consumer<String> warn) {
        this.out = out;
        this.ownsStream = ownsStream;
        this.name = name;
        this.warn = warn;
    }

    /** @throws WatchException (an output error) when FILE cannot be opened for appending */
    static StatsJson open(String target, PrintStream err, Consumer<String> warn) throws WatchException {
        if (target.equals("-")) {
            return new StatsJson(err, false, "stderr", warn);
        }
        try {
            OutputStream file = new FileOutputStream(target, true);
            return new StatsJson(new PrintStream(file, false, StandardCharsets.UTF_8), true, target, warn);
        } catch (IOException e) {
            throw new WatchException("--stats-json: cannot open " + target + " for appending: " + e.getMessage(), true);
        }
    }

    String describe() {
        return name;
    }

    /** One line; a failing output is reported once and then left alone (the capture goes on). */
    void write(RunFigures figures, String version, long nowMillis, boolean last) {
        if (failed) {
            return;
        }
        out.println(line(figures, version, nowMillis, last));
        out.flush();
        if (out.checkError()) {
            failed = true;
            warn.accept("warning: writing --stats-json to " + name + " failed; no more status objects are written");
        }
    }

    static String line(RunFigures figures, String version, long nowMillis, boolean last) {
        StringBuilder b = new StringBuilder(1024);
        b.append("{\"time\":").append(number(nowMillis / 1000.0)).append(",\"final\":").append(last)
                .append(",\"version\":");
        string(b, version);
        for (Figure f : figures.figures()) {
            Map<String, Object> tree = new LinkedHashMap<>();
            Object[] single = new Object[1];
            int depth = f.labels().size();
            f.sampler().sample((value, labels) -> {
                if (depth == 0) {
                    single[0] = value;
                    return;
                }
                Map<String, Object> node = tree;
                for (int i = 0; i < depth - 1; i++) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> next = (Map<String, Object>) node.computeIfAbsent(labels[i], k -> new LinkedHashMap<>());
                    node = next;
                }
                node.put(labels[depth - 1], value);
            });
            if (depth == 0 && single[0] == null) {
                continue; // no value now (e.g. no file finished yet)
            }
            b.append(',');
            string(b, f.name());
            b.append(':');
            value(b, depth == 0 ? single[0] : tree);
        }
        return b.append('}').toString();
    }

    private static void value(StringBuilder b, Object v) {
        if (v instanceof Double d) {
            b.append(number(d));
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) v;
        b.append('{');
        boolean first = true;
        for (var e : map.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, e.getKey());
            b.append(':');
            value(b, e.getValue());
        }
        b.append('}');
    }

    /** Whole numbers without a fraction; others in plain decimal (JSON has no NaN or infinity). */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).toPlainString();
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    @Override
    public void close() {
        if (ownsStream) {
            out.close();
        }
    }
}
