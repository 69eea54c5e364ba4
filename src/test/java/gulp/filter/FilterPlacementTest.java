package gulp.filter;

import gulp.decap.DecapConfig;
import gulp.decap.EncapKind;
import gulp.decap.OuterLink;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.*;

/** Where {@code -f} runs for each kind of input, and which program each place gets. */
class FilterPlacementTest {
    private static final int ETHERNET = OuterLink.ETHERNET.linkType;

    @Test
    void noFilterRunsNowhere() throws FilterException {
        FilterPlacement none = FilterPlacement.forInterface(null, "lo", ETHERNET, 262144, null, null);
        assertEquals(FilterPlacement.Place.NONE, none.place());
        assertNull(none.kernelProgram());
        assertNull(none.userProgram());
        assertEquals("", none.describeLive());
    }

    @Test
    void captureFileFilterRunsInUserSpaceOnly() throws FilterException {
        FilterPlacement file = FilterPlacement.forCaptureFile("udp", ETHERNET, null, 262144, false);
        assertEquals(FilterPlacement.Place.USER, file.place());
        assertNull(file.kernelProgram());
        assertEquals(FilterCompiler.compile("udp", ETHERNET, 262144), file.userProgram());
    }

    @Test
    void liveFilterWithoutDecapsulationRunsInTheKernelAsCompiledForTheInterface() throws FilterException {
        FilterPlacement live = FilterPlacement.forInterface("vlan 5", "lo", ETHERNET, 262144, null, null);
        assertEquals(FilterPlacement.Place.KERNEL, live.place());
        assertEquals(FilterCompiler.compileForInterface("vlan 5", "lo", 262144, new String[1]), live.kernelProgram());
        assertNull(live.userProgram());
        assertNull(live.warning());
        assertEquals(" (in the kernel)", live.describeLive());
    }

    @Test
    void liveFilterWithDecapsulationChecksFixedShapesInTheKernelAndTheRestInUserSpace() throws FilterException {
        DecapConfig decap = DecapConfig.builder().kinds(EnumSet.of(EncapKind.VXLAN)).build();
        FilterPlacement live = FilterPlacement.forInterface("udp", "lo", ETHERNET, 262144, decap, OuterLink.ETHERNET);
        assertEquals(FilterPlacement.Place.KERNEL_AND_USER, live.place());
        assertNotNull(live.kernelProgram());
        assertEquals(FilterCompiler.compile("udp", ETHERNET, 262144), live.userProgram());
        assertTrue(live.describeLive().startsWith(" (in the kernel for "), live.describeLive());
    }

    @Test
    void keepOtherKeepsTheFilterInUserSpaceWithALiveProgramForPlainPackets() throws FilterException {
        DecapConfig decap = DecapConfig.builder().keepOther(true).build();
        FilterPlacement live = FilterPlacement.forInterface("udp", "lo", ETHERNET, 262144, decap, OuterLink.ETHERNET);
        assertEquals(FilterPlacement.Place.USER, live.place());
        assertNull(live.kernelProgram());
        assertNotNull(live.userLiveProgram());
        assertEquals(" (in user space)", live.describeLive());
    }

    @Test
    void aNonEthernetOuterLinkKeepsTheFilterInUserSpace() throws FilterException {
        FilterPlacement live = FilterPlacement.forInterface("udp", "lo", 113, 262144, DecapConfig.defaults(), OuterLink.of(113));
        assertEquals(FilterPlacement.Place.USER, live.place());
        assertNull(live.kernelProgram());
        assertNull(live.userLiveProgram());
    }
}
