package gulp.kafka;

import gulp.stats.InterfaceFigures;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code kafka-consume}'s per-interface figures: for each output interface ({@code BOX:INTERFACE}),
 * the capture box's own counters as its records' {@code counters} headers ({@link BoxCounters})
 * said them, so the pcapng statistics blocks of the rebuilt files (and the metrics' per-interface
 * figures) say what the box lost, not what this consumer did. Within one run of the box the latest
 * figures count (the largest: records of its partitions arrive in any order); the runs of one box and
 * interface add up. Written by the reader thread ({@link #note}, {@link #declared}), read by any.
 */
final class BoxFigures implements InterfaceFigures {
    private static final BoxCounters NONE = new BoxCounters(-1, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN,
            UNKNOWN, UNKNOWN, UNKNOWN);

    /** One origin's figures: the latest of each run (reader thread), their sum (any thread). */
    private static final class Entry {
        final String name;
        final Map<Long, BoxCounters> runs = new HashMap<>();
        volatile BoxCounters total = NONE;

        Entry(String name) {
            this.name = name;
        }
    }

    private final Map<KafkaSource.Origin, Entry> byOrigin = new HashMap<>();
    private volatile Entry[] byId = new Entry[0];

    /** A record of {@code origin} said {@code counters} (null: it said none). Reader thread. */
    void note(KafkaSource.Origin origin, BoxCounters counters) {
        if (counters == null) {
            return;
        }
        Entry entry = entry(origin);
        BoxCounters before = entry.runs.get(counters.run());
        entry.runs.put(counters.run(), before == null ? counters : before.latest(counters));
        BoxCounters total = null;
        for (BoxCounters run : entry.runs.values()) {
            total = total == null ? run : total.plus(run);
        }
        entry.total = total;
    }

    /** {@code origin} is output interface {@code id} (ids are declared 0 upwards). Reader thread. */
    void declared(int id, KafkaSource.Origin origin) {
        Entry[] now = byId;
        if (id >= now.length) {
            now = Arrays.copyOf(now, id + 1);
        }
        now[id] = entry(origin);
        byId = now;
    }

    private Entry entry(KafkaSource.Origin origin) {
        return byOrigin.computeIfAbsent(origin, o -> new Entry(o.name()));
    }

    private BoxCounters of(int id) {
        Entry[] now = byId;
        return id < now.length && now[id] != null ? now[id].total : NONE;
    }

    @Override
    public int count() {
        return byId.length;
    }

    @Override
    public String name(int id) {
        Entry[] now = byId;
        return id < now.length && now[id] != null ? now[id].name : "interface " + id;
    }

    @Override
    public long kernelReceived(int id) {
        return of(id).received();
    }

    @Override
    public long kernelDropped(int id) {
        return of(id).kernelDropped();
    }

    @Override
    public long interfaceDropped(int id) {
        return of(id).interfaceDropped();
    }

    @Override
    public long ringFullDropped(int id) {
        return of(id).ringFull();
    }

    @Override
    public long filteredOut(int id) {
        return of(id).filtered();
    }

    @Override
    public long recordsStored(int id) {
        return of(id).stored();
    }

    @Override
    public long kafkaDropped(int id) {
        return of(id).kafka();
    }
}
