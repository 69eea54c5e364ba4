package gulp.decap;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecapConfigTest {
    @Test
    void defaultsDecapsulateEverythingOnTheStandardPorts() {
        DecapConfig c = DecapConfig.defaults();
        assertEquals(EnumSet.allOf(EncapKind.class), c.kinds());
        assertEquals(4789, c.vxlanPort());
        assertEquals(6081, c.genevePort());
        assertFalse(c.keepOther());
        assertFalse(c.useErspanHardwareTime());
        assertTrue(c.erspanSessions().isEmpty());
        assertTrue(c.vnis().isEmpty());
        assertTrue(c.sessionAccepted(1023) && c.sessionlessAccepted() && c.vniAccepted(0xFFFFFF));
    }

    @Test
    void commandLineListsParse() {
        assertEquals(EnumSet.of(EncapKind.ERSPAN, EncapKind.VXLAN, EncapKind.GENEVE, EncapKind.GRE),
                DecapConfig.parseKinds("erspan,vxlan,geneve,gre"));
        assertEquals(EnumSet.of(EncapKind.VXLAN), DecapConfig.parseKinds(" VXLAN "));
        assertEquals(EnumSet.allOf(EncapKind.class), DecapConfig.parseKinds("all"));
        assertEquals(Set.of(1, 7), DecapConfig.parseErspanSessions("1,7"));
        assertEquals(Set.of(100, 200, 0xFFFFFF), DecapConfig.parseVnis("100, 200,0xffffff"));
        assertEquals(8472, DecapConfig.parsePort("8472", "--vxlan-port"));
    }

    @Test
    void badValuesGiveOneLineMessages() {
        assertMessage("--decap: unknown encapsulation 'nvgre' (expected erspan, gre, vxlan, geneve or all)", () -> DecapConfig.parseKinds("erspan,nvgre"));
        assertMessage("--decap: empty list", () -> DecapConfig.parseKinds(""));
        assertMessage("--erspan-session: ERSPAN session id 1024 out of range 0-1023", () -> DecapConfig.parseErspanSessions("1,1024"));
        assertMessage("--erspan-session: 'x' is not a number", () -> DecapConfig.parseErspanSessions("x"));
        assertMessage("--erspan-session: empty item in '1,,2'", () -> DecapConfig.parseErspanSessions("1,,2"));
        assertMessage("--vni: VNI 16777216 out of range 0-16777215", () -> DecapConfig.parseVnis("16777216"));
        assertMessage("--vni: VNI -1 out of range 0-16777215", () -> DecapConfig.parseVnis("-1"));
        assertMessage("--vxlan-port: expected one UDP port 1-65535, got '0'", () -> DecapConfig.parsePort("0", "--vxlan-port"));
        assertMessage("--vxlan-port and --geneve-port are both 6081", () -> DecapConfig.builder().vxlanPort(6081).build());
        assertMessage("--decap: no encapsulation enabled", () -> DecapConfig.builder().kinds(EnumSet.noneOf(EncapKind.class)));
    }

    @Test
    void filtersAcceptOnlyTheirValues() {
        DecapConfig c = DecapConfig.builder().erspanSessions(Set.of(1, 7)).vnis(Set.of(100)).build();
        assertTrue(c.sessionAccepted(7));
        assertFalse(c.sessionAccepted(8));
        assertFalse(c.sessionlessAccepted());
        assertTrue(c.vniAccepted(100));
        assertFalse(c.vniAccepted(101));
    }

    static void assertMessage(String message, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
