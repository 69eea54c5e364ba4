package gulp.decap;

import gulp.testing.PcapFiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Test helpers around {@link DecapResult}. */
final class TestFrames {
    private TestFrames() {}

    /** The record the lead would write for an INNER outcome: synthetic prefix (if any) plus inner bytes. */
    static PcapFiles.Frame record(DecapResult r) {
        int prefix = r.hasSyntheticPrefix() ? EthernetHeader.LENGTH : 0;
        byte[] data = new byte[prefix + r.innerCaplen()];
        if (prefix > 0) System.arraycopy(r.syntheticPrefixBytes(), 0, data, 0, prefix);
        MemorySegment.copy(r.segment(), ValueLayout.JAVA_BYTE, r.offset(), data, prefix, r.innerCaplen());
        return new PcapFiles.Frame(r.timestampNanos(), r.recordWireLength(), data);
    }
}
