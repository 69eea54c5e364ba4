package gulp.decap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static gulp.testing.Frames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Truncated, lying and mutated encapsulation: always counted and skipped (or other), never an exception or garbage. */
class HostileInputTest {
    static final long T = 1_764_000_000_000_000_000L;

    static List<byte[]> templates() {
        List<byte[]> t = new ArrayList<>(wholeTemplates());
        for (byte[] piece : ipv4Fragments(47, erspanII(5, 1, innerFrame(300)), 128, 99)) t.add(piece);
        return t;
    }

    static List<byte[]> wholeTemplates() {
        byte[] frame = innerFrame(60);
        byte[] ip = ipv4(1, new byte[30], 0);
        return List.of(
                ethernet(0x0800, ipv4(47, gre(0, 0x88BE, 0, 0, frame), 0)),
                ethernet(0x0800, ipv4(47, erspanII(3, 1, frame), 0), 100),
                ethernet(0x0800, ipv4(47, erspanIII(4, 2, 77, 0, null, frame), 2)),
                ethernet(0x0800, ipv4(47, erspanIII(4, 3, 77, 1 | (2 << 1), new byte[] {0x0C, 0, 0, 0, 1, 2, 3, 4}, frame), 0)),
                ethernet(0x0800, ipv4(47, erspanIII(4, 3, 77, 2 << 10, null, ip), 0)),
                ethernet(0x0800, ipv4(47, gre(0xB000, 0x6558, 9, 9, frame), 0), 5, 6),
                ethernet(0x0800, ipv4(17, vxlan(100, frame), 0)),
                ethernet(0x0800, ipv4(17, geneve(7, 0x6558, 3, frame), 0)),
                ethernet(0x86DD, ipv6(47, erspanII(3, 4, frame), true)),
                ethernet(0x86DD, ipv6(17, geneve(7, 0x0800, 0, ip), false)),
                ethernet(0x86DD, ipv6(17, vxlan(9, frame), true), 8));
    }

    /** What must hold after any decapsulate call, whatever the input. */
    static void checkInvariants(DecapOutcome outcome, DecapResult r, MemorySegment packet, long offset, int caplen, int wirelen) {
        switch (outcome) {
            case DecapOutcome.INNER -> {
                assertTrue(r.innerCaplen() >= 0 && r.innerCaplen() <= r.innerWireLength(), "inner lengths");
                assertTrue(r.offset() >= 0 && r.offset() + r.innerCaplen() <= r.segment().byteSize(), "inside the segment");
                if (!r.reassembled()) {
                    assertTrue(r.segment() == packet && r.offset() >= offset
                            && r.offset() + r.innerCaplen() <= offset + Math.min(caplen, wirelen), "inside the captured packet");
                    assertTrue(r.innerWireLength() <= wirelen, "inner wire length within outer wire length");
                }
                if (!r.hasSyntheticPrefix()) assertTrue(r.innerWireLength() >= EthernetHeader.LENGTH, "inner Ethernet header");
                assertTrue(r.kind() != null);
            }
            case DecapOutcome.SKIPPED -> assertNotNull(r.skipReason());
            case DecapOutcome.OTHER, DecapOutcome.HELD -> { }
            default -> throw new AssertionError("outcome " + outcome);
        }
    }

    @Test
    void truncationAtEveryBytePositionIsSkippedOrOtherNeverGarbage() {
        Decapsulator decap = new Decapsulator(DecapConfig.defaults());
        DecapResult r = new DecapResult();
        for (byte[] t : wholeTemplates()) {
            MemorySegment seg = MemorySegment.ofArray(t);
            DecapOutcome full = decap.decapsulate(seg, 0, t.length, t.length, T, r);
            assertEquals(DecapOutcome.INNER, full, () -> "template skipped: " + r.skipReason());
            long innerStart = r.offset();
            int innerWire = r.innerWireLength();
            for (int cut = 0; cut < t.length; cut++) {
                // Captured short (snaplen): headers complete -> inner frame truncated, same wire length.
                DecapOutcome outcome = decap.decapsulate(seg, 0, cut, t.length, T, r);
                checkInvariants(outcome, r, seg, 0, cut, t.length);
                if (cut >= innerStart && outcome == DecapOutcome.INNER) {
                    assertEquals(cut - innerStart, r.innerCaplen());
                    assertEquals(innerWire, r.innerWireLength());
                } else if (outcome == DecapOutcome.INNER) {
                    throw new AssertionError("inner frame from a capture cut inside the headers at " + cut);
                }
                // Really short on the wire: the IP length lies.
                outcome = decap.decapsulate(seg, 0, cut, cut, T, r);
                checkInvariants(outcome, r, seg, 0, cut, cut);
                assertTrue(outcome != DecapOutcome.INNER, "inner frame from a packet cut at " + cut);
            }
        }
        assertTrue(decap.counters().total(DecapCounters.Group.SKIPPED) > 0);
    }

    /**
     * One million mutated frames (1000 tries of 1000): byte flips biased to the headers, length
     * fields set to extremes, truncation of capture and wire lengths, fragments in any order.
     */
    @Property(tries = 1000)
    void mutatedEncapsulatedFramesNeverThrowNorEscapeThePacket(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> templates = TEMPLATES;
        // Reused across tries (each owns 4 MiB of reassembly buffers); finish() forgets fragments in flight.
        Decapsulator decap = DECAPSULATORS.get()[random.nextInt(2)];
        decap.finish();
        DecapResult r = new DecapResult();
        MemorySegment buffer = BUFFER.get();
        for (int i = 0; i < 1000; i++) {
            byte[] t = templates.get(random.nextInt(templates.size()));
            long offset = random.nextInt(8);
            MemorySegment.copy(t, 0, buffer, ValueLayout.JAVA_BYTE, offset, t.length);
            int length = t.length;
            for (int m = 1 + random.nextInt(4); m > 0 && length > 2; m--) {
                int kind = random.nextInt(10);
                if (kind < 6) {
                    int at = random.nextInt(Math.min(length, random.nextBoolean() ? 90 : length));
                    buffer.set(ValueLayout.JAVA_BYTE, offset + at, (byte) random.nextInt(256));
                } else if (kind < 8) {
                    int at = random.nextInt(Math.min(length, 90) - 1);
                    int value = switch (random.nextInt(4)) { case 0 -> 0; case 1 -> 0xFFFF; case 2 -> random.nextInt(64); default -> random.nextInt(65536); };
                    buffer.set(ValueLayout.JAVA_BYTE, offset + at, (byte) (value >>> 8));
                    buffer.set(ValueLayout.JAVA_BYTE, offset + at + 1, (byte) value);
                } else {
                    length = random.nextInt(length + 1);
                }
            }
            int caplen = random.nextInt(4) == 0 ? random.nextInt(length + 1) : length;
            int wirelen = random.nextInt(8) == 0 ? length + random.nextInt(100) : length;
            long ts = T + i * 1000L;
            DecapOutcome outcome = decap.decapsulate(buffer, offset, caplen, wirelen, ts, r);
            checkInvariants(outcome, r, buffer, offset, caplen, wirelen);
        }
    }

    static final List<byte[]> TEMPLATES = templates();
    static final ThreadLocal<Decapsulator[]> DECAPSULATORS = ThreadLocal.withInitial(() -> new Decapsulator[] {
            new Decapsulator(DecapConfig.defaults(), 1_000_000L),
            new Decapsulator(DecapConfig.builder().useErspanHardwareTime(true).build(), 1_000_000L)});
    static final ThreadLocal<MemorySegment> BUFFER = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(4096));
}
