package gulp.extract;

import gulp.format.Timestamps;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The times {@code --from} and {@code --to} accept, to the nanosecond:
 * <ul>
 * <li>ISO-8601 with a date: {@code 2026-12-01T10:02:00}, {@code 2026-12-01 10:02:00.5},
 *     with a zone or offset ({@code Z}, {@code +01:00}, {@code [Europe/Berlin]}) or without (the local zone);</li>
 * <li>a time of day without a date: {@code 10:02}, {@code 10:02:03.123456789} (today, local zone);</li>
 * <li>epoch seconds with decimals: {@code 1764583320.123456789} (or {@code @1764583320});</li>
 * <li>relative to now: {@code now}, {@code -15m}, {@code -2h}, {@code -30s}, {@code -1d}, {@code +5m}.</li>
 * </ul>
 */
public final class TimeSpec {
    private static final Pattern RELATIVE = Pattern.compile("([+-])(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h|d|w)");
    private static final Pattern EPOCH = Pattern.compile("@?(\\d{9,12}(?:\\.\\d{1,9})?)");
    private static final Pattern TIME_OF_DAY = Pattern.compile("\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d{1,9})?)?");

    private TimeSpec() {
    }

    /**
     * Nanoseconds since the epoch for {@code text}.
     *
     * @param nowNanos what {@code now} means
     * @param zone     the zone of times given without one
     * @throws IllegalArgumentException with the one line to show
     */
    public static long parse(String text, long nowNanos, ZoneId zone) {
        String t = text.trim();
        if (t.equals("now")) {
            return nowNanos;
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long delta = new BigDecimal(m.group(2)).multiply(BigDecimal.valueOf(unitNanos(m.group(3)))).longValueExact();
            return m.group(1).equals("-") ? nowNanos - delta : nowNanos + delta;
        }
        m = EPOCH.matcher(t);
        if (m.matches()) {
            return new BigDecimal(m.group(1)).movePointRight(9).longValueExact();
        }
        try {
            if (TIME_OF_DAY.matcher(t).matches()) {
                LocalDate today = java.time.Instant.ofEpochSecond(Timestamps.seconds(nowNanos)).atZone(zone).toLocalDate();
                return nanos(LocalDateTime.of(today, LocalTime.parse(t.replace(',', '.'))).atZone(zone));
            }
            String iso = t.replace(' ', 'T').replace(',', '.');
            if (iso.endsWith("]") || iso.matches(".*(Z|[+-]\\d{2}(:?\\d{2})?)$") && iso.contains("T")) {
                try {
                    return nanos(ZonedDateTime.parse(iso, DateTimeFormatter.ISO_DATE_TIME));
                } catch (DateTimeParseException e) {
                    return nanos(OffsetDateTime.parse(normaliseOffset(iso)).toZonedDateTime());
                }
            }
            if (!iso.contains("T")) {
                return nanos(LocalDate.parse(iso).atStartOfDay(zone));
            }
            return nanos(LocalDateTime.parse(iso).atZone(zone));
        } catch (DateTimeException | ArithmeticException e) {
            throw bad(text);
        }
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("bad time '" + text + "': give ISO-8601 (2026-12-01T10:02:00, 10:02,"
                + " with or without a zone), epoch seconds (1764583320.5) or a relative time (now, -15m, -2h)");
    }

    /** {@code +0100} becomes {@code +01:00}, {@code +01} becomes {@code +01:00}. */
    private static String normaliseOffset(String iso) {
        Matcher m = Pattern.compile("(.*)([+-])(\\d{2}):?(\\d{2})?$").matcher(iso);
        if (m.matches()) {
            return m.group(1) + m.group(2) + m.group(3) + ":" + (m.group(4) == null ? "00" : m.group(4));
        }
        return iso;
    }

    private static long nanos(ZonedDateTime t) {
        return Math.addExact(Math.multiplyExact(t.toEpochSecond(), Timestamps.NANOS_PER_SECOND), t.getNano());
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> Timestamps.NANOS_PER_SECOND;
            case "m" -> 60 * Timestamps.NANOS_PER_SECOND;
            case "h" -> 3600 * Timestamps.NANOS_PER_SECOND;
            case "d" -> 86_400 * Timestamps.NANOS_PER_SECOND;
            default -> 7 * 86_400 * Timestamps.NANOS_PER_SECOND;
        };
    }

    /** A timestamp for messages and {@code --list}: ISO-8601 in {@code zone}, to the nanosecond. */
    public static String format(long nanos, ZoneId zone) {
        return java.time.Instant.ofEpochSecond(Timestamps.seconds(nanos), Math.floorMod(nanos, Timestamps.NANOS_PER_SECOND))
                .atZone(zone).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX"));
    }
}
