package gulp.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CPUs that do an interface's receive work (the softirq that copies each packet into the
 * kernel ring), as this network namespace's sysfs and {@code /proc} say at start-up: the RPS masks
 * of its receive queues ({@code /sys/class/net/NAME/queues/rx-N/rps_cpus}) when any is set, since
 * RPS moves that work off the interrupt's CPU; else the effective affinity
 * ({@code /proc/irq/N/effective_affinity_list}) of its device's receive interrupts (the device's
 * or its PCI parent's {@code msi_irqs}, those whose {@code /proc/interrupts} name says receive:
 * {@code virtio2-input.0}, {@code eth0-TxRx-0}, {@code eth0-rx-1}, {@code mlx5_comp0@pci:…}; all of
 * them when none does).
 * Empty when nothing says (veth without RPS: the work runs on the sending CPU; loopback; a
 * tunnel), or when a file cannot be read. {@link #of(List)} answers for a run's interfaces with
 * one reading of {@code /proc/interrupts}. Never on the packet path.
 */
public final class ReceiveCpus {
    private static final Path SYS_NET = Path.of("/sys/class/net");
    private static final Path PROC = Path.of("/proc");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+");
    private static final Pattern RX = Pattern.compile(".*(^|[-_.])rx([-_.]?[0-9]*)?($|[-_.@]).*");
    /** mlx5's completion vectors ({@code mlx5_comp3@pci:0000:3b:00.0}): each serves a receive and a send queue. */
    private static final Pattern COMPLETION = Pattern.compile(".*(^|[-_.])comp[0-9]+($|[-_.@]).*");

    /** The CPUs and what named them ("RPS" or "interrupts"); cpus empty when unknown. Holds its own copy of the set. */
    public record Found(BitSet cpus, String source) {
        public static final Found UNKNOWN = new Found(new BitSet(), "");

        public Found {
            cpus = (BitSet) cpus.clone();
        }

        /** A copy: the found set stays as read. */
        @Override
        public BitSet cpus() {
            return (BitSet) cpus.clone();
        }

        public boolean known() {
            return !cpus.isEmpty();
        }
    }

    private ReceiveCpus() {
    }

    /**
     * Where the receive work of each of {@code names} runs (unknown for a name this namespace has no
     * interface of), keyed by name in their order: {@code /proc/interrupts} read once for them all
     * (a run with several {@code -i} interfaces), and only when one of them falls back to its interrupts.
     */
    public static Map<String, Found> of(List<String> names) {
        Map<String, Found> found = new LinkedHashMap<>();
        Map<String, List<Integer>> byInterrupts = new LinkedHashMap<>();
        for (String name : names) {
            found.put(name, Found.UNKNOWN);
            if (NetInterface.find(name) == null) {
                continue;
            }
            Path dir = SYS_NET.resolve(name);
            BitSet rps = rpsCpus(dir.resolve("queues"));
            if (!rps.isEmpty()) {
                found.put(name, new Found(rps, "RPS"));
            } else {
                List<Integer> irqs = deviceIrqs(dir.resolve("device"));
                if (!irqs.isEmpty()) {
                    byInterrupts.put(name, irqs);
                }
            }
        }
        if (!byInterrupts.isEmpty()) {
            Interrupts interrupts = Interrupts.read(PROC.resolve("interrupts"));
            byInterrupts.forEach((name, irqs) -> {
                BitSet cpus = interrupts == null ? new BitSet() : affinity(interrupts.receive(irqs), PROC);
                if (!cpus.isEmpty()) {
                    found.put(name, new Found(cpus, "interrupts"));
                }
            });
        }
        return found;
    }

    private static BitSet rpsCpus(Path queues) {
        BitSet cpus = new BitSet();
        try (Stream<Path> entries = Files.list(queues)) {
            for (Path queue : entries.filter(q -> q.getFileName().toString().startsWith("rx-")).toList()) {
                String mask = read(queue.resolve("rps_cpus"));
                if (mask != null) {
                    cpus.or(parseMask(mask));
                }
            }
        } catch (IOException | RuntimeException e) {
            return new BitSet();
        }
        return cpus;
    }

    /**
     * The interrupts of an interface's device: its {@code msi_irqs} or its PCI parent's, else its
     * legacy {@code irq}; empty when it has none (no device: veth, loopback) or they cannot be read.
     */
    private static List<Integer> deviceIrqs(Path device) {
        try {
            if (!Files.isDirectory(device)) {
                return List.of();
            }
            Path real = device.toRealPath();
            Path msi = Files.isDirectory(real.resolve("msi_irqs")) ? real.resolve("msi_irqs")
                    : real.getParent() != null && Files.isDirectory(real.getParent().resolve("msi_irqs"))
                    ? real.getParent().resolve("msi_irqs") : null;
            if (msi != null) {
                try (Stream<Path> entries = Files.list(msi)) {
                    return entries.map(p -> p.getFileName().toString()).filter(s -> NUMBER.matcher(s).matches())
                            .map(Integer::valueOf).sorted().toList();
                }
            }
            String legacy = read(real.resolve("irq"));
            return legacy != null && NUMBER.matcher(legacy).matches() && !legacy.equals("0") ? List.of(Integer.valueOf(legacy)) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The CPUs {@code irqs} are delivered to (effective affinity, else the affinity asked for); empty when a list is not one. */
    private static BitSet affinity(List<Integer> irqs, Path proc) {
        BitSet cpus = new BitSet();
        try {
            for (int irq : irqs) {
                String list = read(proc.resolve("irq").resolve(Integer.toString(irq)).resolve("effective_affinity_list"));
                if (list == null || list.isEmpty()) {
                    list = read(proc.resolve("irq").resolve(Integer.toString(irq)).resolve("smp_affinity_list"));
                }
                if (list != null) {
                    cpus.or(parseList(list));
                }
            }
        } catch (RuntimeException e) {
            return new BitSet();
        }
        return cpus;
    }

    /** True for an interrupt's name that marks a receive queue (input, rx, TxRx and mlx5's comp: one queue for both). */
    static boolean isReceive(String name) {
        if (name == null) {
            return false;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("input") || n.contains("txrx") || RX.matcher(n).matches() || COMPLETION.matcher(n).matches();
    }

    /**
     * One reading of {@code /proc/interrupts}: each IRQ number with the last field of its line
     * (the action's name), from which the receive interrupts of every interface are picked.
     */
    record Interrupts(Map<Integer, String> names) {
        Interrupts {
            names = Map.copyOf(names);
        }

        /**
         * The file's lines as the kernel writes them: {@code " 25:  12  0  PCI-MSI 49153-edge  virtio0-input.0"}
         * names IRQ 25 {@code virtio0-input.0}; lines without an IRQ number (the CPU header, NMI, LOC) are skipped.
         */
        static Interrupts parse(List<String> lines) {
            Map<Integer, String> names = new HashMap<>();
            for (String line : lines) {
                String trimmed = line.trim();
                int colon = trimmed.indexOf(':');
                if (colon <= 0 || !NUMBER.matcher(trimmed.substring(0, colon)).matches()) {
                    continue;
                }
                String[] fields = trimmed.split("\\s+");
                names.put(Integer.valueOf(trimmed.substring(0, colon)), fields[fields.length - 1]);
            }
            return new Interrupts(names);
        }

        /** {@code file} read and parsed: no names when it is not readable, null when reading or parsing it fails. */
        static Interrupts read(Path file) {
            if (!Files.isReadable(file)) {
                return new Interrupts(Map.of());
            }
            try {
                return parse(Files.readAllLines(file));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Of one device's {@code irqs}, those whose names say receive ({@link #isReceive}); all of them when none does. */
        List<Integer> receive(List<Integer> irqs) {
            List<Integer> receive = irqs.stream().filter(irq -> isReceive(names.get(irq))).toList();
            return receive.isEmpty() ? irqs : receive;
        }
    }

    /** A hex CPU mask as sysfs writes it: 32-bit groups, most significant first, joined by commas. */
    static BitSet parseMask(String mask) {
        String hex = mask.trim().replace(",", "");
        BitSet cpus = new BitSet();
        for (int i = 0; i < hex.length(); i++) {
            int nibble = Character.digit(hex.charAt(hex.length() - 1 - i), 16);
            if (nibble < 0) {
                throw new IllegalArgumentException("not a CPU mask: " + mask);
            }
            for (int b = 0; b < 4; b++) {
                if ((nibble >> b & 1) != 0) {
                    cpus.set(4 * i + b);
                }
            }
        }
        return cpus;
    }

    /** A CPU list as {@code /proc} writes it: "1", "0-3,8". */
    static BitSet parseList(String list) {
        BitSet cpus = new BitSet();
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
