package gulp.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
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
 * tunnel), or when a file cannot be read. Never on the packet path.
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

    /** Where {@code name}'s receive work runs (unknown for a name this namespace has no interface of). */
    public static Found of(String name) {
        if (NetInterface.find(name) == null) {
            return Found.UNKNOWN;
        }
        Path dir = SYS_NET.resolve(name);
        BitSet rps = rpsCpus(dir.resolve("queues"));
        if (!rps.isEmpty()) {
            return new Found(rps, "RPS");
        }
        BitSet irqs = interruptCpus(dir.resolve("device"), PROC);
        return irqs.isEmpty() ? Found.UNKNOWN : new Found(irqs, "interrupts");
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

    private static BitSet interruptCpus(Path device, Path proc) {
        BitSet cpus = new BitSet();
        try {
            if (!Files.isDirectory(device)) {
                return cpus;
            }
            Path real = device.toRealPath();
            Path msi = Files.isDirectory(real.resolve("msi_irqs")) ? real.resolve("msi_irqs")
                    : real.getParent() != null && Files.isDirectory(real.getParent().resolve("msi_irqs"))
                    ? real.getParent().resolve("msi_irqs") : null;
            List<Integer> irqs;
            if (msi != null) {
                try (Stream<Path> entries = Files.list(msi)) {
                    irqs = entries.map(p -> p.getFileName().toString()).filter(s -> NUMBER.matcher(s).matches())
                            .map(Integer::valueOf).sorted().toList();
                }
            } else {
                String legacy = read(real.resolve("irq"));
                irqs = legacy != null && NUMBER.matcher(legacy).matches() && !legacy.equals("0") ? List.of(Integer.valueOf(legacy)) : List.of();
            }
            Map<Integer, String> names = interruptNames(proc.resolve("interrupts"));
            List<Integer> receive = irqs.stream().filter(irq -> isReceive(names.get(irq))).toList();
            for (int irq : receive.isEmpty() ? irqs : receive) {
                String list = read(proc.resolve("irq").resolve(Integer.toString(irq)).resolve("effective_affinity_list"));
                if (list == null || list.isEmpty()) {
                    list = read(proc.resolve("irq").resolve(Integer.toString(irq)).resolve("smp_affinity_list"));
                }
                if (list != null) {
                    cpus.or(parseList(list));
                }
            }
        } catch (IOException | RuntimeException e) {
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

    /** IRQ number to the last field of its {@code /proc/interrupts} line (the action's name). */
    private static Map<Integer, String> interruptNames(Path interrupts) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        if (!Files.isReadable(interrupts)) {
            return names;
        }
        for (String line : Files.readAllLines(interrupts)) {
            String trimmed = line.trim();
            int colon = trimmed.indexOf(':');
            if (colon <= 0 || !NUMBER.matcher(trimmed.substring(0, colon)).matches()) {
                continue;
            }
            String[] fields = trimmed.split("\\s+");
            names.put(Integer.valueOf(trimmed.substring(0, colon)), fields[fields.length - 1]);
        }
        return names;
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
