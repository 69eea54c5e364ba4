package gulp.metrics;

import java.util.List;

/**
 * One family of figures (a metric): its name, kind, help text, label names and how to read its
 * current values. Read at scrape or status-tick time from gulp's own counters, on the scraping
 * thread; never on the capture path.
 *
 * @param name   Prometheus name, {@code gulp_} first, counters ending in {@code _total}
 * @param labels label names, in the order {@link Sampler} gives their values
 */
public record Figure(String name, Kind kind, String help, List<String> labels, Sampler sampler) {
    public enum Kind { COUNTER, GAUGE }

    /** Reads the current values, one call of {@link Sample#value} per labelled series. */
    @FunctionalInterface
    public interface Sampler {
        void sample(Sample out);
    }

    /** Receives one value with its label values (as many as {@link Figure#labels}). */
    @FunctionalInterface
    public interface Sample {
        void value(double value, String... labelValues);
    }

    static Figure counter(String name, String help, Sampler sampler, String... labels) {
        return new Figure(name, Kind.COUNTER, help, List.of(labels), sampler);
    }

    static Figure gauge(String name, String help, Sampler sampler, String... labels) {
        return new Figure(name, Kind.GAUGE, help, List.of(labels), sampler);
    }
}
