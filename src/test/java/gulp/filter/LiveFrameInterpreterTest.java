package gulp.filter;

import gulp.testing.Frames;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The interpreter runs what libpcap compiles for a live Linux handle, answering the kernel's
 * ancillary loads from the frame's metadata: the outer VLAN tag the kernel removed and the packet
 * type. (The same programs in the kernel are checked against tcpdump in LiveDirectionAndVlanFilterTest.)
 */
class LiveFrameInterpreterTest {
    private static final int TAG_100 = 0x8100 << 16 | 100;
    private static final int TAG_200 = 0x8100 << 16 | 0x2000 | 200; // priority 1: only the VLAN id counts

    /** "vlan 100" and "vlan and host X" as tcpdump -i lo compiles them (needs the privilege to open lo). */
    private static BpfProgram live(String expression) throws FilterException {
        assumeTrue(Tools.canBuildTestBed(), "opening a live libpcap handle needs root");
        String[] why = new String[1];
        BpfProgram program = FilterCompiler.compileForInterface(expression, "lo", 262144, why);
        assertNotNull(program, () -> why[0]);
        return program;
    }

    private static boolean matches(BpfInterpreter interpreter, byte[] frame, int vlanTag) {
        return interpreter.matches(MemorySegment.ofArray(frame), 0, frame.length, frame.length, vlanTag, 0);
    }

    @Test
    void liveVlanProgramsTestTheTagFromTheMetadataOrAStillTaggedFrame() throws FilterException {
        BpfProgram program = live("vlan 100");
        assertThrows(FilterException.class, () -> new BpfInterpreter(program), "files have no such metadata");
        BpfInterpreter interpreter = BpfInterpreter.forLiveFrames(program);
        byte[] stripped = Frames.numbered(1, 100, 9);
        assertTrue(matches(interpreter, stripped, TAG_100));
        assertFalse(matches(interpreter, stripped, TAG_200));
        assertFalse(matches(interpreter, stripped, BpfInterpreter.NO_VLAN_TAG));
        // A tag the kernel left in the frame (a second one, or no offload): libpcap's program reads the bytes.
        assertTrue(matches(interpreter, Frames.withVlanTag(stripped, 100), BpfInterpreter.NO_VLAN_TAG));
        assertFalse(matches(interpreter, Frames.withVlanTag(stripped, 200), BpfInterpreter.NO_VLAN_TAG));
    }

    @Test
    void liveVlanAndHostLooksPastTheRemovedTag() throws FilterException {
        BpfInterpreter interpreter = BpfInterpreter.forLiveFrames(live("vlan and host 10.250.77.3"));
        byte[] toOtherHost = Frames.numbered(2, 100, 9);
        toOtherHost[33] = 3;
        assertTrue(matches(interpreter, toOtherHost, TAG_100));
        assertFalse(matches(interpreter, toOtherHost, BpfInterpreter.NO_VLAN_TAG));
        assertFalse(matches(interpreter, Frames.numbered(3, 100, 9), TAG_100));
        assertTrue(matches(interpreter, Frames.withVlanTag(toOtherHost, 7), BpfInterpreter.NO_VLAN_TAG));
    }

    @Test
    void eachAnsweredLoadGivesWhatTheKernelGives() throws FilterException {
        MemorySegment frame = MemorySegment.ofArray(new byte[60]);
        int[][] cases = { // ancillary offset, vlanTag, packetType, expected A
                {BpfInterpreter.SKF_AD_VLAN_TAG, TAG_200, 0, 0x2000 | 200},
                {BpfInterpreter.SKF_AD_VLAN_TAG, BpfInterpreter.NO_VLAN_TAG, 0, 0},
                {BpfInterpreter.SKF_AD_VLAN_TAG_PRESENT, TAG_100, 0, 1},
                {BpfInterpreter.SKF_AD_VLAN_TAG_PRESENT, BpfInterpreter.NO_VLAN_TAG, 0, 0},
                {BpfInterpreter.SKF_AD_VLAN_TPID, 0x88a8 << 16 | 5, 0, 0x88a8},
                {BpfInterpreter.SKF_AD_PKTTYPE, BpfInterpreter.NO_VLAN_TAG, 4, 4},
                {BpfInterpreter.SKF_AD_PKTTYPE, BpfInterpreter.NO_VLAN_TAG, 1, 1}};
        for (int size : new int[] {W, H, B}) {
            for (int[] c : cases) {
                BpfProgram program = new BpfAssembler().insn(LD | size | ABS, SKF_AD_OFF + c[0]).insn(RET | RET_A, 0).assemble();
                assertEquals(c[3], BpfInterpreter.forLiveFrames(program).run(frame, 0, 60, 60, c[1], c[2]),
                        "load " + c[0] + " size " + size);
            }
        }
    }

    @Test
    void otherLinuxOnlyLoadsAreStillRefused() throws FilterException {
        for (int k : new int[] {SKF_AD_OFF /* protocol */, SKF_AD_OFF + 8 /* ifindex */, SKF_NET_OFF, SKF_LL_OFF + 12}) {
            BpfProgram program = new BpfAssembler().ld(k).insn(RET | RET_A, 0).assemble();
            assertThrows(FilterException.class, () -> BpfInterpreter.forLiveFrames(program), Integer.toHexString(k));
        }
        BpfProgram indirect = new BpfAssembler().insn(LD | W | IND, SKF_AD_OFF + BpfInterpreter.SKF_AD_VLAN_TAG)
                .insn(RET | RET_A, 0).assemble();
        assertThrows(FilterException.class, () -> BpfInterpreter.forLiveFrames(indirect), "only absolute loads are ancillary");
    }

    /** The live compilation is instruction for instruction what {@code tcpdump -i lo -dd EXPR} prints. */
    @Test
    void liveCompilationIsTcpdumpsForTheSameInterface() throws FilterException {
        assumeTrue(Tools.run("tcpdump", "--version").status() == 0, "needs tcpdump");
        for (String expression : new String[] {"vlan 100", "vlan and host 10.250.77.3", "vlan 100 and vlan 200",
                "udp port 53", "outbound", "not inbound and tcp"}) {
            Tools.Output tcpdump = Tools.run("tcpdump", "-i", "lo", "-dd", expression);
            assertEquals(0, tcpdump.status(), tcpdump.stderr());
            assertEquals(BpfProgram.parse(tcpdump.stdout()), live(expression), expression);
        }
        assertTrue(live("outbound").toString().contains("ldh      [4294963204]"), "SKF_AD_OFF + SKF_AD_PKTTYPE, as DirectionPrefix");
    }

    @Test
    void theDirectionPrefixRunsTheProgramForOutgoingPacketsOnly() throws FilterException {
        BpfProgram udp9999 = FilterCompiler.compile("udp dst port 9999");
        BpfInterpreter prefixed = BpfInterpreter.forLiveFrames(DirectionPrefix.onlyOutgoing(udp9999));
        MemorySegment match = MemorySegment.ofArray(Frames.numbered(1, 100, 9999));
        MemorySegment other = MemorySegment.ofArray(Frames.numbered(2, 100, 8888));
        for (int type = 0; type < 8; type++) {
            boolean outgoing = type == gulp.linux.SockaddrLl.PACKET_OUTGOING;
            assertEquals(outgoing ? 262144 : 0, prefixed.run(match, 0, 100, 100, BpfInterpreter.NO_VLAN_TAG, type), "type " + type);
            assertEquals(0, prefixed.run(other, 0, 100, 100, BpfInterpreter.NO_VLAN_TAG, type), "type " + type);
        }
        assertEquals(udp9999.length() + DirectionPrefix.LENGTH, DirectionPrefix.onlyOutgoing(udp9999).length());
    }
}
