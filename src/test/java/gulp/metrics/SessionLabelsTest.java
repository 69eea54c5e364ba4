package gulp.metrics;

import gulp.decap.SequenceGapTracker;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SessionLabelsTest {
    private static Map<String, Long> sample(SessionLabels labels, SequenceGapTracker tracker) {
        Map<String, Long> values = new LinkedHashMap<>();
        labels.sample(tracker::packets, (value, label) -> values.put(label[0], (long) value));
        return values;
    }

    @Test
    void sessionsBeyondTheLimitAreSummedUnderOtherAndNoSessionEverChangesLabel() {
        SequenceGapTracker tracker = new SequenceGapTracker();
        SessionLabels labels = new SessionLabels(tracker);
        // The first 64 sessions to appear are 1000 downwards: they keep their own labels.
        for (int s = 1000; s > 1000 - SessionLabels.LIMIT; s--) {
            tracker.observe(s, 1);
        }
        assertEquals(SessionLabels.LIMIT, sample(labels, tracker).size());
        for (int s = 0; s < 10; s++) { // ten more, lower numbers: "other"
            tracker.observe(s, 1);
            tracker.observe(s, 2);
        }
        Map<String, Long> values = sample(labels, tracker);
        assertEquals(SessionLabels.LIMIT + 1, values.size());
        assertEquals(20, values.get(SessionLabels.OTHER));
        assertFalse(values.containsKey("0"));
        assertEquals(1, values.get("1000"));
        tracker.observe(1000, 2);
        tracker.observe(5, 3);
        values = sample(labels, tracker);
        assertEquals(2, values.get("1000"));
        assertEquals(21, values.get(SessionLabels.OTHER));
    }

    @Test
    void missingPacketsSettleOnceTheyLeaveTheReorderWindowSoTheCounterNeverFalls() {
        SequenceGapTracker tracker = new SequenceGapTracker();
        SessionLabels labels = new SessionLabels(tracker);
        tracker.observe(7, 1);
        tracker.observe(7, 5); // 2, 3, 4 missing, but still inside the window: they may come late
        Map<String, Long> missing = new LinkedHashMap<>();
        labels.sample(tracker::missingSettled, (value, label) -> missing.put(label[0], (long) value));
        assertEquals(0, missing.get("7"));
        assertEquals(3, tracker.missing(7));
        tracker.observe(7, 5 + SequenceGapTracker.WINDOW);
        labels.sample(tracker::missingSettled, (value, label) -> missing.put(label[0], (long) value));
        assertEquals(3, missing.get("7"), missing.toString());
    }
}
