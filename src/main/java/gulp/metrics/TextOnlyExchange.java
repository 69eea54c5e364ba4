package gulp.metrics;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A scrape request as the client's handler sees it, with the protobuf format left out of its
 * {@code Accept} header. gulp ships the client without protobuf (the text formats need none), but
 * the client picks protobuf whenever a scraper lists it (Prometheus does with native histograms
 * on) and then fails the scrape; without it the client answers in the best text format asked for.
 */
final class TextOnlyExchange extends HttpExchange {
    private static final String PROTOBUF = "application/vnd.google.protobuf";

    private final HttpExchange exchange;
    private final Headers requestHeaders;

    TextOnlyExchange(HttpExchange exchange) {
        this.exchange = exchange;
        this.requestHeaders = new Headers(exchange.getRequestHeaders());
        List<String> accept = requestHeaders.get("Accept");
        if (accept != null) {
            requestHeaders.put("Accept", List.of(withoutProtobuf(String.join(",", accept))));
        }
    }

    /** The media ranges of an Accept header other than protobuf's, e.g. for the text formats. */
    static String withoutProtobuf(String accept) {
        StringBuilder kept = new StringBuilder();
        for (String range : accept.split(",")) {
            if (!range.trim().toLowerCase(Locale.ROOT).startsWith(PROTOBUF)) {
                kept.append(kept.isEmpty() ? "" : ",").append(range.trim());
            }
        }
        return kept.toString();
    }

    @Override public Headers getRequestHeaders() { return requestHeaders; }
    @Override public Headers getResponseHeaders() { return exchange.getResponseHeaders(); }
    @Override public URI getRequestURI() { return exchange.getRequestURI(); }
    @Override public String getRequestMethod() { return exchange.getRequestMethod(); }
    @Override public HttpContext getHttpContext() { return exchange.getHttpContext(); }
    @Override public void close() { exchange.close(); }
    @Override public InputStream getRequestBody() { return exchange.getRequestBody(); }
    @Override public OutputStream getResponseBody() { return exchange.getResponseBody(); }
    @Override public void sendResponseHeaders(int code, long length) throws IOException { exchange.sendResponseHeaders(code, length); }
    @Override public InetSocketAddress getRemoteAddress() { return exchange.getRemoteAddress(); }
    @Override public int getResponseCode() { return exchange.getResponseCode(); }
    @Override public InetSocketAddress getLocalAddress() { return exchange.getLocalAddress(); }
    @Override public String getProtocol() { return exchange.getProtocol(); }
    @Override public Object getAttribute(String name) { return exchange.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { exchange.setAttribute(name, value); }
    @Override public void setStreams(InputStream in, OutputStream out) { exchange.setStreams(in, out); }
    @Override public HttpPrincipal getPrincipal() { return exchange.getPrincipal(); }
}
