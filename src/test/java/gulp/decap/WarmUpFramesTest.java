package gulp.decap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The live warm-up's frames take the decapsulating path of every kind, as real tunnel traffic does. */
class WarmUpFramesTest {
    @Test
    void everyFrameButThePlainOneDecapsulatesToItsWholeInnerFrame() {
        Decapsulator decap = new Decapsulator(DecapConfig.defaults(), OuterLink.ETHERNET);
        DecapResult result = new DecapResult();
        List<byte[]> frames = WarmUpFrames.frames(DecapConfig.defaults(), 110, 1514);
        assertEquals(14, frames.size());
        int inner = 0;
        for (byte[] frame : frames) {
            DecapOutcome outcome = decap.decapsulate(MemorySegment.ofArray(frame), 0, frame.length, frame.length, 1L, result);
            if (outcome == DecapOutcome.INNER) {
                inner++;
                assertEquals(frame.length - result.offset(), result.innerCaplen(), "the inner frame runs to the outer frame's end");
            } else {
                assertEquals(DecapOutcome.OTHER, outcome, "the plain UDP frame is the other outcome");
            }
        }
        assertEquals(12, inner, "ERSPAN II (twice), III, GRE, VXLAN and Geneve in two lengths");
        assertEquals(0, decap.counters().total(DecapCounters.Group.SKIPPED), "nothing skipped as malformed");
        for (DecapCounters.Counter kind : List.of(DecapCounters.Counter.INNER_ERSPAN_II, DecapCounters.Counter.INNER_ERSPAN_III,
                DecapCounters.Counter.INNER_GRE_TEB, DecapCounters.Counter.INNER_VXLAN, DecapCounters.Counter.INNER_GENEVE)) {
            assertEquals(true, decap.counters().get(kind) >= 2, kind + " taken");
        }
    }

    @Test
    void erspanIIFramesCarryConsecutiveSequenceNumbersSessionAfterSessionAsMirrorSessionsSendThem() {
        Decapsulator decap = new Decapsulator(DecapConfig.defaults(), OuterLink.ETHERNET);
        DecapResult result = new DecapResult();
        WarmUpFrames frames = new WarmUpFrames(DecapConfig.defaults(), 110, 1514);
        for (int i = 0; i < 10_000; i++) {
            byte[] frame = frames.get();
            decap.decapsulate(MemorySegment.ofArray(frame), 0, frame.length, frame.length, i * 1000L, result);
        }
        SequenceGapTracker gaps = decap.sequenceGaps();
        long erspanII = decap.counters().get(DecapCounters.Counter.INNER_ERSPAN_II);
        for (int session = 1; session <= erspanII / WarmUpFrames.FRAMES_PER_SESSION; session++) {
            assertEquals(WarmUpFrames.FRAMES_PER_SESSION, gaps.packets(session), "session " + session + " in turn");
            assertEquals(0, gaps.duplicates(session) + gaps.reordered(session) + gaps.restarts(session) + gaps.missing(session),
                    "in order, none lost");
        }
    }

    @Test
    void frameLengthsAreTheOnesAsked() {
        for (byte[] frame : WarmUpFrames.frames(DecapConfig.defaults(), 110, 1514)) {
            assertEquals(true, frame.length == 110 || frame.length == 1514);
        }
    }
}
