package gulp.run;

import gulp.capture.NetInterface;
import gulp.capture.ReceiveCpus;
import gulp.pipeline.RoleRunner;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Function;

/**
 * Where a live capture's reader and writer run: on CPUs of the set this process may use that do
 * not take the interfaces' receive work ({@link ReceiveCpus}: RPS, or the receive interrupts),
 * the last such CPU for the reader and the one before it for the writer; the two share the one
 * such CPU when there is only one (the reader at its raised priority, the writer with O_DIRECT
 * needing little). With no CPU free of receive work, or none known to take it (veth, loopback),
 * the last two allowed CPUs (CPU 0 usually carries more interrupts). {@code --reader-cpu} and
 * {@code --writer-cpu} are kept as given; nothing is pinned with one CPU.
 * Why: a reader on the CPU of the receive softirq gets the time the softirq leaves it, and at a
 * high packet rate that is too little to empty the kernel ring (2 CPUs, mode B, 700 k x 1500 B/s:
 * kernel drops in 3 of 4 runs with the reader there, none with it beside the writer on the other
 * CPU, BENCHMARKS.md §3.0).
 *
 * @param plan the threads' CPUs and priority
 * @param note for the start-up line, after the plan: why it avoids CPUs, or empty
 */
record LivePlacement(RoleRunner.Plan plan, String note) {

    /** For the run's options and interfaces, from this process's allowed CPUs and the interfaces' receive CPUs. */
    static LivePlacement of(Options options, List<String> interfaces, int[] allowed) {
        return of(options.readerCpu, options.writerCpu, options.realtimeReader, interfaces, allowed, ReceiveCpus::of);
    }

    /** The same with the receive CPUs from {@code receive} (tests). */
    static LivePlacement of(int readerCpu, int writerCpu, boolean fifo, List<String> interfaces, int[] allowed,
                            Function<String, ReceiveCpus.Found> receive) {
        if (allowed.length < 2 || readerCpu >= 0 && writerCpu >= 0) {
            return new LivePlacement(new RoleRunner.Plan(readerCpu, writerCpu, true, fifo), "");
        }
        BitSet busy = new BitSet();
        List<String> takers = new ArrayList<>();
        String source = "";
        for (String name : interfaces) {
            if (name.equals(NetInterface.ANY)) {
                continue;
            }
            ReceiveCpus.Found found = receive.apply(name);
            if (found.known()) {
                busy.or(found.cpus());
                takers.add(name);
                source = source.isEmpty() || source.equals(found.source()) ? found.source() : "RPS and interrupts";
            }
        }
        List<Integer> free = new ArrayList<>();
        BitSet avoided = new BitSet();
        for (int cpu : allowed) {
            if (busy.get(cpu)) {
                avoided.set(cpu);
            } else {
                free.add(cpu);
            }
        }
        if (avoided.isEmpty() || free.isEmpty()) { // nothing to avoid, or nowhere else to go
            return new LivePlacement(lastTwo(readerCpu, writerCpu, fifo, allowed), "");
        }
        int reader = readerCpu >= 0 ? readerCpu : lastExcept(free, writerCpu);
        if (reader < 0) {
            return new LivePlacement(lastTwo(readerCpu, writerCpu, fifo, allowed), "");
        }
        int writer = writerCpu >= 0 ? writerCpu : lastExcept(free, reader);
        if (writer < 0) { // the reader has the only free CPU: the writer shares it
            writer = reader;
        }
        String cpus = avoided.stream().mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElse("");
        String note = " (cpu " + cpus + " take" + (avoided.cardinality() == 1 ? "s " : " ")
                + String.join("+", takers) + "'s receive work, by " + source + ")";
        return new LivePlacement(new RoleRunner.Plan(reader, writer, true, fifo), note);
    }

    /** The last CPU of {@code cpus} that is not {@code except}, or -1. */
    private static int lastExcept(List<Integer> cpus, int except) {
        for (int i = cpus.size() - 1; i >= 0; i--) {
            if (cpus.get(i) != except) {
                return cpus.get(i);
            }
        }
        return -1;
    }

    /** Reader and writer on the last two allowed CPUs, each unless given. */
    private static RoleRunner.Plan lastTwo(int readerCpu, int writerCpu, boolean fifo, int[] allowed) {
        int last = allowed[allowed.length - 1];
        int before = allowed[allowed.length - 2];
        int reader = readerCpu >= 0 ? readerCpu : last == writerCpu ? before : last;
        int writer = writerCpu >= 0 ? writerCpu : last == reader ? before : last;
        return new RoleRunner.Plan(reader, writer, true, fifo);
    }
}
