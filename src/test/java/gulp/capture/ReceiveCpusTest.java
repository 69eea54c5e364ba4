package gulp.capture;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading where an interface's receive work runs: masks and lists as the kernel writes them, names of receive interrupts, /proc/interrupts, this machine's interfaces. */
class ReceiveCpusTest {
    private static BitSet cpus(int... numbers) {
        BitSet set = new BitSet();
        for (int n : numbers) {
            set.set(n);
        }
        return set;
    }

    @Test
    void rpsMasksAreHexGroupsOfThirtyTwoCpusMostSignificantFirst() {
        assertEquals(cpus(1), ReceiveCpus.parseMask("2"));
        assertEquals(cpus(0, 1, 2, 3), ReceiveCpus.parseMask("f"));
        assertEquals(cpus(1), ReceiveCpus.parseMask("00000000,00000002"));
        assertEquals(cpus(32, 4), ReceiveCpus.parseMask("00000001,00000010"));
        assertEquals(new BitSet(), ReceiveCpus.parseMask("00000000"));
    }

    @Test
    void cpuListsTakeSinglesAndRanges() {
        assertEquals(cpus(1), ReceiveCpus.parseList("1"));
        assertEquals(cpus(0, 1, 2, 5), ReceiveCpus.parseList("0-2,5"));
    }

    @Test
    void receiveInterruptsAreToldByTheirNames() {
        assertTrue(ReceiveCpus.isReceive("virtio2-input.0"));
        assertTrue(ReceiveCpus.isReceive("eth0-TxRx-3"));
        assertTrue(ReceiveCpus.isReceive("eth0-rx-1"));
        assertTrue(ReceiveCpus.isReceive("enp3s0-rx"));
        assertFalse(ReceiveCpus.isReceive("virtio2-output.0"));
        assertFalse(ReceiveCpus.isReceive("virtio2-config"));
        assertFalse(ReceiveCpus.isReceive("eth0-tx-1"));
        assertTrue(ReceiveCpus.isReceive("mlx5_comp3@pci:0000:3b:00.0"));
        assertFalse(ReceiveCpus.isReceive("mlx5_async0@pci:0000:00:01.0"));
        assertFalse(ReceiveCpus.isReceive("mlx5_compat"));
        assertFalse(ReceiveCpus.isReceive(null));
    }

    @Test
    void severalInterfacesFindTheirReceiveInterruptsInOneReadingOfProcInterrupts() {
        ReceiveCpus.Interrupts interrupts = ReceiveCpus.Interrupts.parse(List.of(
                "           CPU0       CPU1       ",
                " 28:          0          0 PCI-MSIX-0000:00:03.0   0-edge      virtio1-config",
                " 29:       8571          0 PCI-MSIX-0000:00:03.0   1-edge      virtio1-input.0",
                " 30:          0         12 PCI-MSIX-0000:00:03.0   2-edge      virtio1-output.0",
                " 31:          0       4410 PCI-MSIX-0000:00:04.0   0-edge      eth1-TxRx-0",
                " 32:          0          3 PCI-MSIX-0000:00:04.0   1-edge      eth1-TxRx-1",
                " 33:          0          9 PCI-MSIX-0000:00:04.0   2-edge      eth1",
                " 40:          7          0 PCI-MSIX-0000:00:05.0   0-edge      eth2-queue-0",
                "NMI:          0          0   Non-maskable interrupts"));
        assertEquals(List.of(29), interrupts.receive(List.of(28, 29, 30)));
        assertEquals(List.of(31, 32), interrupts.receive(List.of(31, 32, 33)));
        assertEquals(List.of(40, 41), interrupts.receive(List.of(40, 41)), "none named receive (41 not listed): all of them");
    }

    @Test
    void loopbackAndUnknownNamesTakeNoCpuOfTheirOwn() {
        List<String> names = List.of("lo", "no-such-interface", "../lo");
        Map<String, ReceiveCpus.Found> found = ReceiveCpus.of(names);
        assertEquals(names, List.copyOf(found.keySet()));
        found.forEach((name, cpus) -> assertFalse(cpus.known(), name));
    }

    @Test
    void everyInterfaceOfThisMachineNamesOnlyOnlineCpusAloneOrAskedWithTheOthers() throws Exception {
        BitSet online = ReceiveCpus.parseList(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        try (Stream<Path> names = Files.list(Path.of("/sys/class/net"))) {
            List<String> all = names.map(name -> name.getFileName().toString()).toList();
            Map<String, ReceiveCpus.Found> together = ReceiveCpus.of(all);
            assertEquals(all, List.copyOf(together.keySet()));
            for (String name : all) {
                ReceiveCpus.Found found = ReceiveCpus.of(List.of(name)).get(name);
                assertEquals(found, together.get(name), name + ": the same asked alone as with the others");
                BitSet outside = (BitSet) found.cpus().clone();
                outside.andNot(online);
                assertTrue(outside.isEmpty(), name + ": " + found);
                assertTrue(!found.known() || found.source().equals("RPS") || found.source().equals("interrupts"), found.toString());
            }
        }
    }
}
