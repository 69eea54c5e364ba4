package gulp.run;

import gulp.capture.NetInterface;
import gulp.capture.ReceiveCpus;
import gulp.pipeline.RoleRunner;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
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
 * <p>The ring's fault-in thread ({@link RingFaultIn}) runs on {@link #helperCpu}: the writer's CPU
 * when it has one apart from the reader's, or when both were moved off the receive CPUs (then
 * their CPU is the one with time to spare); else unpinned. {@code --fanout} orders the allowed
 * CPUs the same way ({@link #freeLast}), so its pairs take the CPUs free of receive work first.
 *
 * @param plan the threads' CPUs and priority
 * @param note for the start-up line, after the plan: why it avoids CPUs, or empty
 * @param helperCpu the CPU of the ring's fault-in thread, or -1 for none
 */
record LivePlacement(RoleRunner.Plan plan, String note, int helperCpu) {

    /** Allowed CPUs ordered for {@code --fanout}: those that take receive work first, those free of it last. */
    record Order(int[] cpus, String note) {
    }

    /** For the run's options and interfaces, from this process's allowed CPUs and the interfaces' receive CPUs. */
    static LivePlacement of(Options options, List<String> interfaces, int[] allowed) {
        return of(options.readerCpu, options.writerCpu, options.realtimeReader, interfaces, allowed, ReceiveCpus::of);
    }

    /** The same with the receive CPUs of the interfaces from {@code receive}, asked once for them all (tests). */
    static LivePlacement of(int readerCpu, int writerCpu, boolean fifo, List<String> interfaces, int[] allowed,
                            Function<List<String>, Map<String, ReceiveCpus.Found>> receive) {
        if (allowed.length < 2 || readerCpu >= 0 && writerCpu >= 0) {
            return apart(new RoleRunner.Plan(readerCpu, writerCpu, true, fifo));
        }
        ReceiveWork work = ReceiveWork.of(interfaces, receive);
        List<Integer> free = new ArrayList<>();
        BitSet avoided = new BitSet();
        for (int cpu : allowed) {
            if (work.busy().get(cpu)) {
                avoided.set(cpu);
            } else {
                free.add(cpu);
            }
        }
        if (avoided.isEmpty() || free.isEmpty()) { // nothing to avoid, or nowhere else to go
            return apart(lastTwo(readerCpu, writerCpu, fifo, allowed));
        }
        int reader = readerCpu >= 0 ? readerCpu : lastExcept(free, writerCpu);
        if (reader < 0) {
            return apart(lastTwo(readerCpu, writerCpu, fifo, allowed));
        }
        int writer = writerCpu >= 0 ? writerCpu : lastExcept(free, reader);
        if (writer < 0) { // the reader has the only free CPU: the writer shares it
            writer = reader;
        }
        return new LivePlacement(new RoleRunner.Plan(reader, writer, true, fifo), work.note(avoided), writer);
    }

    /**
     * {@code allowed} with the CPUs that take the interfaces' receive work moved to the front (in
     * their order), so that a placement taking CPUs from the end takes those free of it first.
     */
    static Order freeLast(List<String> interfaces, int[] allowed, Function<List<String>, Map<String, ReceiveCpus.Found>> receive) {
        ReceiveWork work = ReceiveWork.of(interfaces, receive);
        BitSet avoided = new BitSet();
        List<Integer> order = new ArrayList<>();
        for (int cpu : allowed) {
            if (work.busy().get(cpu)) {
                avoided.set(cpu);
                order.add(cpu);
            }
        }
        for (int cpu : allowed) {
            if (!work.busy().get(cpu)) {
                order.add(cpu);
            }
        }
        boolean moved = !avoided.isEmpty() && avoided.cardinality() < allowed.length;
        return new Order(moved ? order.stream().mapToInt(Integer::intValue).toArray() : allowed.clone(),
                moved ? work.note(avoided) : "");
    }

    /** The plan as it is; the fault-in thread on the writer's CPU when that is not the reader's. */
    private static LivePlacement apart(RoleRunner.Plan plan) {
        return new LivePlacement(plan, "", plan.writerCpu() != plan.readerCpu() ? plan.writerCpu() : -1);
    }

    /** The CPUs that take the receive work of the named interfaces, which of them do, and what said so. */
    private record ReceiveWork(BitSet busy, List<String> takers, String source) {
        static ReceiveWork of(List<String> interfaces, Function<List<String>, Map<String, ReceiveCpus.Found>> receive) {
            BitSet busy = new BitSet();
            List<String> takers = new ArrayList<>();
            String source = "";
            List<String> named = interfaces.stream().filter(name -> !name.equals(NetInterface.ANY)).toList();
            Map<String, ReceiveCpus.Found> all = receive.apply(named); // one reading for them all (none for none)
            for (String name : named) {
                ReceiveCpus.Found found = all.getOrDefault(name, ReceiveCpus.Found.UNKNOWN);
                if (found.known()) {
                    busy.or(found.cpus());
                    takers.add(name);
                    source = source.isEmpty() || source.equals(found.source()) ? found.source() : "RPS and interrupts";
                }
            }
            return new ReceiveWork(busy, takers, source);
        }

        /** " (cpu 1 takes eth0's receive work, by interrupts)". */
        String note(BitSet avoided) {
            String cpus = avoided.stream().mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElse("");
            return " (cpu " + cpus + " take" + (avoided.cardinality() == 1 ? "s " : " ")
                    + String.join("+", takers) + "'s receive work, by " + source + ")";
        }
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
