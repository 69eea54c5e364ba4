package gulp.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code --metrics}: the Prometheus text exposition at {@code /metrics}, written by the official
 * client's handler ({@code MetricsHandler} of its HTTP exporter) on the JDK's HTTP server
 * ({@code jdk.httpserver}) from a registry of our own, so only {@code gulp_} metrics appear. It
 * listens before the run opens its input and output, so a port that cannot be had stops gulp
 * before anything is captured or written; the run's figures are registered once they exist
 * ({@link #expose}). Every value is read by the client's callbacks at scrape time, on the
 * server's own two threads.
 */
final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    private final PrometheusRegistry registry;

    private MetricsEndpoint(HttpServer server, ExecutorService threads, String url, PrometheusRegistry registry) {
        this.server = server;
        this.threads = threads;
        this.url = url;
        this.registry = registry;
    }

    /** @throws WatchException with the one line to show */
    static MetricsEndpoint start(MetricsAddress address, String version) throws WatchException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
        } catch (IOException | RuntimeException e) {
            throw new WatchException("--metrics: cannot listen on " + address.describe(address.port()) + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        Info info = Info.builder().name("gulp_info").help("The running gulp: its version.").labelNames("version")
                .register(registry);
        info.setLabelValues(version);
        MetricsHandler handler = new MetricsHandler(PrometheusProperties.get(), registry);
        server.createContext("/metrics", exchange -> handler.handle(new TextOnlyExchange(exchange)));
        ExecutorService threads = Executors.newFixedThreadPool(2,
                Thread.ofPlatform().name("gulp-metrics-", 0).daemon().factory());
        server.setExecutor(threads);
        server.start();
        String url = "http://" + address.describe(server.getAddress().getPort()) + "/metrics";
        return new MetricsEndpoint(server, threads, url, registry);
    }

    String url() {
        return url;
    }

    /** Registers the run's figures; scrapes from now on read them. */
    void expose(RunFigures figures) {
        for (Figure f : figures.figures()) {
            String[] labels = f.labels().toArray(String[]::new);
            switch (f.kind()) {
                case COUNTER -> CounterWithCallback.builder().name(f.name()).help(f.help()).labelNames(labels)
                        .callback(cb -> f.sampler().sample(cb::call)).register(registry);
                case GAUGE -> GaugeWithCallback.builder().name(f.name()).help(f.help()).labelNames(labels)
                        .callback(cb -> f.sampler().sample(cb::call)).register(registry);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
