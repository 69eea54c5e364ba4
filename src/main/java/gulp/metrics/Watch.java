package gulp.metrics;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * What lets someone watch a running capture: the Prometheus endpoint ({@code --metrics}) and the
 * JSON status lines ({@code --stats-json}), either, both or neither. Opened before the run opens
 * its input and output (a bad address, a port in use, a stats file that cannot be opened stop
 * gulp before anything is captured), given the run's figures once they exist, closed at exit.
 */
public final class Watch implements AutoCloseable {
    private final MetricsEndpoint endpoint;
    private final StatsJson json;
    private final String version;
    private RunFigures figures;

    private Watch(MetricsEndpoint endpoint, StatsJson json, String version) {
        this.endpoint = endpoint;
        this.json = json;
        this.version = version;
    }

    /** Nothing to watch: every method does nothing. */
    public static Watch none() {
        return new Watch(null, null, "");
    }

    /**
     * @param metrics   the {@code --metrics} value, or null
     * @param statsJson the {@code --stats-json} value, or null
     * @param err       stderr, for {@code --stats-json -}
     * @param warn      one-line warnings ("gulp: ..." is added by the caller)
     * @throws WatchException with the one line to show
     */
    public static Watch open(String metrics, String statsJson, String version, PrintStream err, Consumer<String> warn)
            throws WatchException {
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            MetricsAddress address;
            try {
                address = MetricsAddress.parse(metrics);
            } catch (IllegalArgumentException e) {
                throw new WatchException(e.getMessage());
            }
            endpoint = MetricsEndpoint.start(address, version);
        }
        StatsJson json = null;
        if (statsJson != null) {
            try {
                json = StatsJson.open(statsJson, err, warn);
            } catch (WatchException e) {
                if (endpoint != null) {
                    endpoint.close();
                }
                throw e;
            }
        }
        return new Watch(endpoint, json, version);
    }

    /** For the start-up line, e.g. {@code "metrics at http://127.0.0.1:9100/metrics"}; empty if nothing. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (endpoint != null) {
            b.append("metrics at ").append(endpoint.url());
        }
        if (json != null) {
            b.append(b.isEmpty() ? "" : ", ").append("JSON status to ").append(json.describe());
        }
        return b.toString();
    }

    /** The run's figures: the endpoint serves them from now on, the status lines show them. */
    public void expose(RunFigures runFigures) {
        this.figures = runFigures;
        if (endpoint != null) {
            endpoint.expose(runFigures);
        }
    }

    /** A status tick (main thread): one JSON line. */
    public void tick() {
        if (json != null && figures != null) {
            json.write(figures, version, System.currentTimeMillis(), false);
        }
    }

    /** The end of the run, after the final counters: the last JSON line. */
    public void finish() {
        if (json != null && figures != null) {
            json.write(figures, version, System.currentTimeMillis(), true);
        }
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (json != null) {
            json.close();
        }
    }
}
