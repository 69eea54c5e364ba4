package gulp.capture;

import gulp.format.PcapRecordHeader;
import com.code_intelligence.jazzer.junit.FuzzTest;
import gulp.testing.FuzzSeeds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The capture reader's checks of {@link CaptureFileFuzzTest}, on inputs whose bytes lie across
 * the end of the reader's 4 MiB buffer, where it moves what is left to the front and reads on.
 * Small fuzzer inputs never get there: after the input's file header (pcap) or section header
 * (pcapng), filler of about 4 MiB (five large packets, or five blocks of an unknown type, which
 * the reader skips) puts the rest of the input {@code k} bytes before the buffer's end; the first
 * two bytes of the input choose {@code k} (below 4096). docs/fuzzing.md.
 */
public class CaptureFileBufferEndFuzzTest {
    /** The capture reader's read buffer as it starts (InputBuffer). */
    static final int READ_BUFFER = InputBuffer.INITIAL_SIZE;
    private static final int FILLERS = 5;
    private static final int PCAP_HEADER = 24;
    private static final byte[] FILE = new byte[READ_BUFFER + (1 << 20)];

    @FuzzTest(maxDuration = "12s")
    void captureFileAcrossTheReadBufferEnd(byte[] data) throws IOException {
        if (data.length < 2 + PCAP_HEADER || data.length - 2 > FILE.length - READ_BUFFER) {
            return;
        }
        int k = ((data[0] & 0xFF) << 8 | (data[1] & 0xFF)) & 0xFFC; // a multiple of 4 below 4096
        ByteBuffer capture = ByteBuffer.wrap(data, 2, data.length - 2).slice();
        int magic = capture.order(ByteOrder.BIG_ENDIAN).getInt(0);
        int headerLength;
        boolean pcapng = magic == 0x0A0D0D0A;
        ByteOrder order;
        if (pcapng) {
            order = capture.getInt(8) == 0x1A2B3C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            headerLength = capture.order(order).getInt(4);
            if (headerLength < 28 || headerLength % 4 != 0 || headerLength > capture.limit()) {
                return; // not a section header the filler can follow: CaptureFileFuzzTest covers it
            }
        } else if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
            order = ByteOrder.BIG_ENDIAN;
            headerLength = PCAP_HEADER;
        } else if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1) {
            order = ByteOrder.LITTLE_ENDIAN;
            headerLength = PCAP_HEADER;
        } else {
            return;
        }
        int filler = READ_BUFFER - k - headerLength;
        ByteBuffer file = ByteBuffer.wrap(FILE).order(order);
        file.put(data, 2, headerLength);
        for (int i = 0; i < FILLERS; i++) {
            int piece = i < FILLERS - 1 ? filler / FILLERS & ~3 : filler - (FILLERS - 1) * (filler / FILLERS & ~3);
            int start = file.position();
            if (pcapng) {
                file.putInt(0x0BAD).putInt(piece).position(start + piece - 4);
                file.putInt(piece);
            } else {
                file.putInt(0).putInt(0).putInt(piece - 16).putInt(piece - 16);
            }
            Arrays.fill(FILE, start + (pcapng ? 8 : 16), start + piece - (pcapng ? 4 : 0), (byte) 0);
            file.position(start + piece);
        }
        file.put(data, 2 + headerLength, data.length - 2 - headerLength);
        CaptureFileFuzzTest.readAndCheck(FILE, file.position());
    }

    /** Seeds: the reader's seeds in each format, their content starting 8 and 2000 bytes before the buffer's end. */
    public static FuzzSeeds.Seeds seeds() throws IOException {
        Map<String, byte[]> captures = new LinkedHashMap<>(CaptureFileFuzzTest.seeds().files());
        captures.keySet().retainAll(List.of("pcap-nanoseconds-big-endian.pcap", "pcap-outer-fragments.pcap",
                "pcapng-enhanced-packets-tsresol-tsoffset.pcapng", "pcapng-big-endian-simple-obsolete-then-second-section.pcapng"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> capture : captures.entrySet()) {
            for (int k : new int[] {8, 2000}) {
                byte[] seed = new byte[2 + capture.getValue().length];
                seed[0] = (byte) (k >>> 8);
                seed[1] = (byte) k;
                System.arraycopy(capture.getValue(), 0, seed, 2, capture.getValue().length);
                files.put(k + "-before-the-end-" + capture.getKey(), seed);
            }
        }
        return new FuzzSeeds.Seeds(CaptureFileBufferEndFuzzTest.class, "captureFileAcrossTheReadBufferEnd", files);
    }
}
