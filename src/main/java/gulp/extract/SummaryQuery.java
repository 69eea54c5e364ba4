package gulp.extract;

import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The part of a tcpdump filter a file's {@link TrafficSummary} can answer: whether the file may
 * hold a packet the filter accepts. It reads a conservative subset of the language:
 * {@code [src|dst] host ADDR}, {@code [src|dst] net ADDR/LEN}, {@code [tcp|udp|sctp] [src|dst] port N},
 * {@code proto N}, {@code ip proto N}, {@code ip6 proto N}, {@code tcp}, {@code udp}, {@code sctp},
 * {@code icmp}, {@code icmp6}, each optionally after {@code ip} or {@code ip6}, joined by
 * {@code and}/{@code &&}, {@code or}/{@code ||} and parentheses, literal addresses and numbers
 * only. Anything else, {@code not} included, means "may match": such a filter skips no file
 * (the filter itself still decides every packet).
 */
public final class SummaryQuery {
    /** Skips nothing. */
    public static final SummaryQuery ALL = new SummaryQuery(s -> true, false);

    private interface Test {
        boolean mayMatch(TrafficSummary s);
    }

    private final Test test;
    private final boolean selective;

    private SummaryQuery(Test test, boolean selective) {
        this.test = test;
        this.selective = selective;
    }

    /** Whether this query can skip files at all. */
    public boolean selective() {
        return selective;
    }

    boolean mayMatch(TrafficSummary summary) {
        return !selective || !summary.usable() || test.mayMatch(summary);
    }

    /** The query for filter {@code expression} (null: no filter). */
    public static SummaryQuery of(String expression) {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        try {
            Parser p = new Parser(tokens(expression));
            Test t = p.or();
            if (p.at < p.tokens.size()) {
                return ALL;
            }
            return new SummaryQuery(t, true);
        } catch (IllegalArgumentException e) {
            return ALL;
        }
    }

    private static List<String> tokens(String expression) {
        List<String> out = new ArrayList<>();
        for (String word : expression.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
            if (!word.isEmpty()) {
                out.add(word);
            }
        }
        return out;
    }

    private static final Pattern NUMBER = Pattern.compile("\\d{1,5}");
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private static final class Parser {
        final List<String> tokens;
        int at;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        String peek() {
            return at < tokens.size() ? tokens.get(at) : "";
        }

        String take() {
            if (at >= tokens.size()) {
                throw new IllegalArgumentException("end");
            }
            return tokens.get(at++);
        }

        Test or() {
            Test left = and();
            while (peek().equals("or") || peek().equals("||")) {
                at++;
                Test a = left, b = and();
                left = s -> a.mayMatch(s) || b.mayMatch(s);
            }
            return left;
        }

        Test and() {
            Test left = primary();
            while (peek().equals("and") || peek().equals("&&")) {
                at++;
                Test a = left, b = primary();
                left = s -> a.mayMatch(s) && b.mayMatch(s);
            }
            return left;
        }

        Test primary() {
            String t = take();
            if (t.equals("(")) {
                Test inner = or();
                if (!take().equals(")")) {
                    throw new IllegalArgumentException(")");
                }
                return inner;
            }
            if (t.equals("ip") || t.equals("ip6")) {
                if (peek().equals("proto")) {
                    at++;
                    int p = number(take(), 255);
                    return s -> s.mayHaveProtocol(p);
                }
                String next = peek();
                if (next.equals("host") || next.equals("src") || next.equals("dst") || next.equals("net")
                        || isTransport(next)) {
                    return primary();
                }
                throw new IllegalArgumentException(t);
            }
            if (isTransport(t)) {
                int protocol = switch (t) {
                    case "tcp" -> Ipv4Header.PROTOCOL_TCP;
                    case "udp" -> Ipv4Header.PROTOCOL_UDP;
                    case "sctp" -> Ipv4Header.PROTOCOL_SCTP;
                    case "icmp" -> Ipv4Header.PROTOCOL_ICMP;
                    default -> Ipv6Header.ICMPV6; // icmp6
                };
                String next = peek();
                if (Ipv4Header.hasPorts(protocol) && (next.equals("port") || next.equals("src") || next.equals("dst"))) {
                    Test port = primary();
                    return s -> s.mayHaveProtocol(protocol) && port.mayMatch(s);
                }
                return s -> s.mayHaveProtocol(protocol);
            }
            if (t.equals("proto")) {
                int p = number(take(), 255);
                return s -> s.mayHaveProtocol(p);
            }
            if (t.equals("src") || t.equals("dst")) {
                String next = peek();
                if (next.equals("host") || next.equals("net") || next.equals("port")) {
                    return primary(); // the summary does not tell source from destination: a superset
                }
                throw new IllegalArgumentException(t);
            }
            if (t.equals("host")) {
                return host(take());
            }
            if (t.equals("net")) {
                return net(take());
            }
            if (t.equals("port")) {
                int p = number(take(), 65535);
                return s -> s.mayHavePort(p);
            }
            throw new IllegalArgumentException(t);
        }

        static boolean isTransport(String t) {
            return t.equals("tcp") || t.equals("udp") || t.equals("sctp") || t.equals("icmp") || t.equals("icmp6");
        }
    }

    private static int number(String text, int max) {
        if (!NUMBER.matcher(text).matches() || Integer.parseInt(text) > max) {
            throw new IllegalArgumentException(text);
        }
        return Integer.parseInt(text);
    }

    private static InetAddress literal(String text) {
        if (!(V4.matcher(text).matches() || text.contains(":")) || !text.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(text); // a name: libpcap would resolve it
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(text);
        }
    }

    private static Test host(String text) {
        InetAddress a = literal(text);
        if (a instanceof Inet4Address) {
            int v4 = ByteBuffer.wrap(a.getAddress()).getInt();
            return s -> s.mayHaveV4(v4);
        }
        ByteBuffer b = ByteBuffer.wrap(a.getAddress());
        long high = b.getLong(), low = b.getLong();
        return s -> s.mayHaveV6(high, low);
    }

    private static Test net(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(text); // tcpdump's short forms (net 10.1): not read here
        }
        InetAddress a = literal(text.substring(0, slash));
        int prefix = number(text.substring(slash + 1), a instanceof Inet6Address ? 128 : 32);
        if (a instanceof Inet4Address) {
            int v4 = ByteBuffer.wrap(a.getAddress()).getInt();
            return s -> !s.usable() || s.addresses.mayContainV4Net(v4, prefix);
        }
        ByteBuffer b = ByteBuffer.wrap(a.getAddress());
        long high = b.getLong(), low = b.getLong();
        return s -> !s.usable() || s.addresses.mayContainV6Net(high, low, prefix);
    }
}
