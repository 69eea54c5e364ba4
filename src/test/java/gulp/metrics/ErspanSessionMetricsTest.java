package gulp.metrics;

import gulp.decap.DecapConfig;
import gulp.decap.DecapResult;
import gulp.decap.Decapsulator;
import gulp.testing.EncapsulatedTraffic;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream loss per ERSPAN session in the figures: the generated ERSPAN stream (sessions 7 and 9,
 * scapy) with 100 packets of session 7 left out; the last {@code --stats-json} object says what the
 * end-of-run session line says.
 */
class ErspanSessionMetricsTest {
    @TempDir
    Path temp;

    @Test
    void sessionLossInTheFiguresIsTheLossTheRunReports() throws Exception {
        EncapsulatedTraffic.generate(temp);
        List<PcapFiles.Frame> stream = PcapFiles.ethernetFrames(temp.resolve("stream.pcap"));
        Decapsulator probe = new Decapsulator(DecapConfig.defaults());
        DecapResult result = new DecapResult();
        List<PcapFiles.Frame> kept = new ArrayList<>();
        int session7 = 0;
        for (PcapFiles.Frame f : stream) {
            probe.decapsulate(MemorySegment.ofArray(f.data()), 0, f.caplen(), f.wirelen(), f.tsNanos(), result);
            if (result.id() == 7 && session7++ >= 900 && session7 <= 1000) {
                continue; // positions 900..999 of session 7: one gap of 100, well before its end
            }
            kept.add(f);
        }
        Path input = temp.resolve("gap.pcap");
        PcapFiles.writeFrames(input, kept);
        Path json = temp.resolve("stats.jsonl");
        GulpProcess.Result r = GulpProcess.run(null, temp.resolve("inner.pcap"), "--read", input.toString(), "-d",
                "--stats-json", json.toString());
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stderr().contains("session 7: 1 gap, 100 packets missing upstream"), r.stderr());
        assertTrue(r.stderr().contains("session 9: 0 gaps, 0 packets missing upstream"), r.stderr());

        Map<String, Double> last = Scrapes.lastJsonObject(json);
        assertEquals(100, Math.round(last.get("gulp_erspan_session_missing_packets_total/7")), last.toString());
        assertEquals(0, Math.round(last.get("gulp_erspan_session_missing_packets_total/9")));
        assertEquals(session7 - 100, Math.round(last.get("gulp_erspan_session_packets_total/7")));
        assertEquals(100, Math.round(last.get("gulp_erspan_session_packets_total/9")));
        assertEquals(0, Math.round(last.get("gulp_erspan_session_restarts_total/7")));
        assertTrue(r.stderr().contains("(" + (session7 - 100) + " packets seen)"), r.stderr());
    }
}
