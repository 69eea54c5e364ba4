package gulp.capture;

import gulp.stats.InterfaceFigures;

import java.util.List;

/**
 * The figures of each interface of a live run ({@link LiveSocket}'s counters, written by the
 * reader thread), for pcapng statistics, metrics and the end-of-run report; ids in the order the
 * interfaces were given.
 */
final class LiveInterfaceFigures implements InterfaceFigures {
    private final List<LiveSocket> sockets;

    LiveInterfaceFigures(List<LiveSocket> sockets) {
        this.sockets = List.copyOf(sockets);
    }

    @Override
    public int count() {
        return sockets.size();
    }

    @Override
    public String name(int id) {
        return sockets.get(id).name;
    }

    @Override
    public long kernelReceived(int id) {
        return sockets.get(id).kernelReceived.get();
    }

    @Override
    public long kernelDropped(int id) {
        return sockets.get(id).kernelDropped.get();
    }

    @Override
    public long interfaceDropped(int id) {
        return sockets.get(id).interfaceDropped.get();
    }

    @Override
    public long ringFullDropped(int id) {
        return sockets.get(id).ringFull.get();
    }

    @Override
    public long filteredOut(int id) {
        return sockets.get(id).filtered.get();
    }

    @Override
    public long recordsStored(int id) {
        return sockets.get(id).stored.get();
    }

    @Override
    public long kernelRingUsedBytes(int id) {
        long used = sockets.get(id).kernelRingUsedBytes();
        return used < 0 ? UNKNOWN : used;
    }

    @Override
    public long kernelRingPeakUsedBytes(int id) {
        return sockets.get(id).kernelRingPeakBytes();
    }

    @Override
    public long kernelRingCapacityBytes(int id) {
        return sockets.get(id).kernelRingCapacityBytes();
    }

    /** Packets the reader took from this interface's kernel ring. */
    long captured(int id) {
        return sockets.get(id).captured.get();
    }

    /** The report's lines per interface: "N packets captured on eth1" and so on. */
    void appendTo(StringBuilder b) {
        InterfaceFigures figures = this;
        for (int id = 0; id < figures.count(); id++) {
            String on = " on " + figures.name(id) + "\n";
            b.append(captured(id)).append(" packets captured").append(on);
            if (figures.filteredOut(id) > 0) {
                b.append(figures.filteredOut(id)).append(" packets rejected by the filter").append(on);
            }
            b.append(figures.recordsStored(id)).append(" records stored").append(on);
            b.append(figures.ringFullDropped(id)).append(" records dropped (ring full)").append(on);
            b.append(figures.kernelReceived(id)).append(" packets received by the kernel").append(on);
            b.append(figures.kernelDropped(id)).append(" packets dropped by the kernel").append(on);
            b.append(figures.interfaceDropped(id)).append(" packets dropped by the interface").append(on);
        }
    }
}
