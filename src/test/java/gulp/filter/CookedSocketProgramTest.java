package gulp.filter;

import gulp.decap.Sll2Header;
import org.junit.jupiter.api.Test;

import static gulp.filter.Bpf.SKF_AD_OFF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A filter for LINUX_SLL2 frames moved onto the cooked socket of {@code -i any}, as libpcap's fix_program. */
class CookedSocketProgramTest {
    private static final int SNAPLEN = 262144;

    @Test
    void loadsPastTheHeaderMoveBackAndHeaderFieldsBecomeAncillaryLoads() throws Exception {
        // ldh [0]; jeq 0x800; ldb [29]; ...; ldxb 4*([20]&0xf); ldh [x+20]; ...; ldb [10]; jeq #4 ...
        BpfProgram program = FilterCompiler.compile("ip and udp port 9 and inbound", Sll2Header.LINKTYPE, SNAPLEN);
        BpfProgram onSocket = CookedSocketProgram.forSocket(program);
        assertNotNull(onSocket);
        assertEquals(program.length(), onSocket.length());
        int protocol = 0, packetType = 0, moved = 0;
        for (int i = 0; i < program.length(); i++) {
            assertEquals(program.code(i), onSocket.code(i), "instruction " + i);
            assertEquals(program.jt(i), onSocket.jt(i));
            assertEquals(program.jf(i), onSocket.jf(i));
            int c = program.code(i), mode = c & 0xe0, cls = c & 7;
            boolean load = (cls == Bpf.LD || cls == Bpf.LDX) && (mode == Bpf.ABS || mode == Bpf.IND || mode == Bpf.MSH);
            if (!load) {
                assertEquals(program.k(i), onSocket.k(i), "k of instruction " + i);
            } else if (program.k(i) >= Sll2Header.LENGTH) {
                assertEquals(program.k(i) - Sll2Header.LENGTH, onSocket.k(i), "offset of load " + i);
                moved++;
            } else if (program.k(i) == Sll2Header.PROTOCOL_OFFSET) {
                assertEquals(SKF_AD_OFF + CookedSocketProgram.SKF_AD_PROTOCOL, onSocket.k(i));
                protocol++;
            } else {
                assertEquals(Sll2Header.PACKET_TYPE_OFFSET, program.k(i));
                assertEquals(SKF_AD_OFF + BpfInterpreter.SKF_AD_PKTTYPE, onSocket.k(i));
                packetType++;
            }
        }
        assertEquals(1, protocol);
        assertEquals(1, packetType);
        assertEquals(true, moved >= 4, "loads of the IP and UDP headers: " + moved);
    }

    @Test
    void aLoadOfTheCookedAddressCannotMoveAndTheFilterRunsInUserSpace() throws Exception {
        String expression = "link[12] = 0xa0"; // the first byte of the SLL2 source address
        assertNull(CookedSocketProgram.forSocket(FilterCompiler.compile(expression, Sll2Header.LINKTYPE, SNAPLEN)));
        assumeTrue("root".equals(System.getProperty("user.name")), "a live libpcap handle on any needs root");
        FilterPlacement placement = FilterPlacement.forInterface(expression, "any", Sll2Header.LINKTYPE, SNAPLEN, null, null);
        assertEquals(FilterPlacement.Place.USER, placement.place());
        assertNotNull(placement.userProgram());
        assertEquals(FilterPlacement.Place.KERNEL,
                FilterPlacement.forInterface("udp port 53", "any", Sll2Header.LINKTYPE, SNAPLEN, null, null).place());
    }
}
