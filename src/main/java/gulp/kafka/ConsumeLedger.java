package gulp.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What {@code kafka-consume} has read and what of it is durable, so that the offsets it commits say
 * exactly which packets are in finished files (docs/kafka.md, "Exactly once").
 *
 * <p>Packets go to the ring in the merge's order, which may interleave records of one partition. The
 * ledger keeps, in that order, which record each packet came from (runs of packets from one record
 * are one entry). When a file is handed to the finisher it notes how many packets the run has
 * written so far (the writer's count, exact at a rotation); when the file is forced to disk it marks
 * that many packets durable and works out the commit: per partition, the offset of the first record
 * with a packet not yet durable, and in the metadata the file's name and, for the records at or past
 * that offset with some packets durable, how many (a record's packets go out in order, so that is a
 * prefix). Called from the reader thread (reading, emitting), the writer thread
 * ({@link #handedOver}) and the finisher thread ({@link #durable}); every method is synchronized,
 * once per record or run of packets.
 */
public final class ConsumeLedger {
    private final String topic;
    private final LongSupplier packetsWritten;
    /** Per partition: records read and not yet behind the commit point, offset to {packets, packets in files}. */
    private final Map<Integer, TreeMap<Long, int[]>> open = new HashMap<>();
    /** Per partition: the offset after the last record read (where reading would go on). */
    private final Map<Integer, Long> next = new HashMap<>();
    /** Packets emitted and not yet durable, in order: {partition, offset, count} runs. */
    private final ArrayDeque<long[]> emitted = new ArrayDeque<>();
    /** Files handed to the finisher and the run's packet count at their end. */
    private final LinkedHashMap<String, Long> handed = new LinkedHashMap<>();
    private long durablePackets;

    /** @param packetsWritten the writer's count of records written (read on the writer thread) */
    public ConsumeLedger(String topic, LongSupplier packetsWritten) {
        this.topic = topic;
        this.packetsWritten = packetsWritten;
    }

    /** Reading of {@code partition} starts at {@code offset}. */
    synchronized void start(int partition, long offset) {
        next.put(partition, offset);
        open.putIfAbsent(partition, new TreeMap<>());
    }

    /** A record of {@code packets} packets was read, of which the first {@code alreadyDurable} are in files already. */
    synchronized void read(int partition, long offset, int packets, int alreadyDurable) {
        next.put(partition, offset + 1);
        if (alreadyDurable < packets) {
            open.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, new int[] {packets, alreadyDurable});
        }
    }

    /** {@code count} packets of record ({@code partition}, {@code offset}) went to the ring, next in order. */
    synchronized void emitted(int partition, long offset, int count) {
        long[] last = emitted.peekLast();
        if (last != null && last[0] == partition && last[1] == offset) {
            last[2] += count;
        } else {
            emitted.addLast(new long[] {partition, offset, count});
        }
    }

    /** Writer thread: the file to be named {@code name} ends after the packets written so far. */
    synchronized void handedOver(String name) {
        handed.put(name, packetsWritten.getAsLong());
    }

    /**
     * Finisher thread: file {@code name} is on disk. Returns the commit that says so (every
     * partition read, each with {@code name} in its metadata).
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> durable(String name) {
        Long end = handed.remove(name);
        if (end == null) {
            throw new IllegalStateException("no file " + name + " was handed over");
        }
        long more = end - durablePackets;
        while (more > 0) {
            long[] run = emitted.peekFirst();
            if (run == null) {
                throw new IllegalStateException("more packets written than read");
            }
            long take = Math.min(more, run[2]);
            TreeMap<Long, int[]> records = open.get((int) run[0]);
            int[] record = records.get(run[1]);
            record[1] += (int) take;
            run[2] -= take;
            if (run[2] == 0) {
                emitted.removeFirst();
            }
            more -= take;
        }
        durablePackets = end;
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (var entry : next.entrySet()) {
            TreeMap<Long, int[]> records = open.get(entry.getKey());
            // Only records before the first one with packets not in files leave the ledger: a later
            // record all in files (interleaved by the merge) must stay listed, or a restart reads it again.
            while (!records.isEmpty() && records.firstEntry().getValue()[1] >= records.firstEntry().getValue()[0]) {
                records.pollFirstEntry();
            }
            long offset = records.isEmpty() ? entry.getValue() : records.firstKey();
            StringBuilder metadata = new StringBuilder(name);
            records.forEach((o, r) -> {
                if (r[1] > 0) {
                    metadata.append('\n').append(o).append(':').append(r[1]);
                }
            });
            commit.put(new TopicPartition(topic, entry.getKey()), new OffsetAndMetadata(offset, metadata.toString()));
        }
        return commit;
    }

    /** The file a committed offset's metadata names (the last file made durable), or null. */
    static String fileOf(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || committed.metadata().isEmpty()) {
            return null;
        }
        String m = committed.metadata();
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }

    /** From a committed offset's metadata: record offset to the number of its first packets already in files. */
    static Map<Long, Integer> durablePrefixes(OffsetAndMetadata committed) {
        Map<Long, Integer> prefixes = new HashMap<>();
        if (committed == null || committed.metadata() == null) {
            return prefixes;
        }
        String[] lines = committed.metadata().split("\n");
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            prefixes.put(Long.parseLong(line.substring(0, colon)), Integer.parseInt(line.substring(colon + 1)));
        }
        return prefixes;
    }
}
