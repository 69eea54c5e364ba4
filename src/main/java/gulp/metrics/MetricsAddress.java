package gulp.metrics;

import java.net.InetAddress;

/**
 * Where {@code --metrics [ADDR:]PORT} listens: {@code 9100} (loopback), {@code 0.0.0.0:9100},
 * {@code [::1]:9100}, {@code [::]:9100}. ADDR is an IP address (or {@code localhost}), never a
 * name to look up: a listening address is a choice of interface, and gulp asks no resolver for it.
 * Port 0 takes a free port (the start-up line names it).
 */
public record MetricsAddress(InetAddress host, String literal, int port) {
    /** The host when none is given: loopback only, so that nothing is exposed by accident. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * @throws IllegalArgumentException with the one line to show
     */
    public static MetricsAddress parse(String text) {
        String v = text.trim();
        String host = LOOPBACK;
        String port = v;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                throw bad(text);
            }
            host = v.substring(1, close);
            port = v.substring(close + 2);
        } else {
            int colon = v.lastIndexOf(':');
            if (colon >= 0) {
                if (v.indexOf(':') != colon) { // an IPv6 address without brackets
                    throw new IllegalArgumentException("--metrics: write an IPv6 address in brackets, e.g. [::1]:9100, not '"
                            + text + "'");
                }
                host = v.substring(0, colon);
                port = v.substring(colon + 1);
            }
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(host.equalsIgnoreCase("localhost") ? LOOPBACK : host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--metrics: '" + host + "' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, [::1])");
        }
        if (port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5) {
            throw bad(text);
        }
        int p = Integer.parseInt(port);
        if (p > 65535) {
            throw new IllegalArgumentException("--metrics: port must be between 0 and 65535, not " + port);
        }
        return new MetricsAddress(address, host.equalsIgnoreCase("localhost") ? LOOPBACK : host, p);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("--metrics takes [ADDR:]PORT, e.g. 9100, 0.0.0.0:9100 or [::1]:9100, not '"
                + text + "'");
    }

    /** {@code host:port} as given (IPv6 in brackets). */
    public String describe(int actualPort) {
        return (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ":" + actualPort;
    }
}
