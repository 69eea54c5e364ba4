package gulp.stats;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --fanout}'s totals: every counter of the pairs adds up, the Kafka ones and the stall's included. */
class CaptureCountersSumTest {
    @Test
    void setToSumOfAddsEveryCounterOfThePairs() throws Exception {
        CaptureCounters a = new CaptureCounters();
        CaptureCounters b = new CaptureCounters();
        List<Field> counters = counterFields();
        assertTrue(counters.size() > 15, "found the counters");
        int k = 1;
        for (Field f : counters) {
            ((Counter) f.get(a)).add(k);
            ((Counter) f.get(b)).add(100L * k);
            k++;
        }
        CaptureCounters totals = new CaptureCounters();
        totals.setToSumOf(List.of(a, b));
        k = 1;
        for (Field f : counters) {
            long expected = f.getName().equals("lastFileFinishedMillis") ? 100L * k : 101L * k;
            assertEquals(expected, ((Counter) f.get(totals)).get(), f.getName());
            k++;
        }
    }

    @Test
    void kafkaDropsOfThePairsIncludeTheirStallsOnlyWithAKafkaOutput() {
        CaptureCounters a = new CaptureCounters();
        a.kafkaUndelivered.add(1);
        a.kafkaUnsent.add(2);
        a.stalledRingFull.add(4);
        a.stalledKernel.add(8);
        CaptureCounters totals = new CaptureCounters();
        totals.setToSumOf(List.of(a));
        assertEquals(3, totals.droppedKafka(), "a file output: the stall's losses are not kafka drops");
        assertEquals(12, totals.lostWhileStalled());
        a.outputIsKafka();
        totals.setToSumOf(List.of(a));
        assertEquals(15, totals.droppedKafka());
        assertEquals(3, totals.kafkaLostAfterRing());
    }

    private static List<Field> counterFields() {
        return java.util.Arrays.stream(CaptureCounters.class.getFields())
                .filter(f -> f.getType() == Counter.class && !Modifier.isStatic(f.getModifiers())).toList();
    }
}
