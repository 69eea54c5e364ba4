package gulp.extract;

import gulp.capture.InputException;
import gulp.capture.PacketHandler;
import gulp.capture.Source;
import gulp.format.LinkType;
import gulp.format.PcapFileHeader;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The packets of the chosen files stamped in [{@code from}, {@code to}), merged in timestamp order
 * into one stream, as a {@link Source} for the ordinary packet path (filter, {@code -d}, ring,
 * writer). The merge is {@code mergecap}'s: the earliest head of all files comes next, equal
 * timestamps in file order; a file is opened only once the merge reaches its smallest timestamp,
 * so only the files overlapping at a moment are open. A file whose timestamps never decrease is
 * read from the index's offset for {@code from} and left at its first packet at or after
 * {@code to}; any other file is read whole and its packets outside the window dropped.
 */
public final class MergeSource implements Source {
    private final List<CaptureFile> files; // by smallest timestamp, then order
    private final long from;
    private final long to;
    private final Consumer<String> report;
    private final int linkTypeField;
    private final int snaplen;
    private final boolean nanosecond;
    private long filesRead;

    private static final class Head {
        final CaptureFile file;
        final RecordCursor cursor;
        /** The snap length up to which the handler takes this file's records as they are, or -1. */
        int verbatimSnaplen = -1;

        Head(CaptureFile file, RecordCursor cursor) {
            this.file = file;
            this.cursor = cursor;
        }
    }

    /**
     * @param files    the files that may hold packets of the window (all of one link type)
     * @param fallbackLinkTypeField the link type when no file is chosen (the output is then empty)
     */
    public MergeSource(List<CaptureFile> files, long from, long to, int fallbackLinkTypeField, Consumer<String> report) {
        this.files = new ArrayList<>(files);
        this.files.sort(Comparator.comparingLong((CaptureFile f) -> f.index().minTimestamp).thenComparingInt(CaptureFile::order));
        this.from = from;
        this.to = to;
        this.report = report;
        this.linkTypeField = files.isEmpty() ? fallbackLinkTypeField : files.get(0).format().linkTypeField();
        int snap = 0;
        boolean nanos = false;
        for (CaptureFile f : files) {
            snap = Math.max(snap, f.format().snaplen());
            nanos |= f.format().nanosecond();
        }
        this.snaplen = snap == 0 ? PcapFileHeader.DEFAULT_SNAPLEN : snap;
        this.nanosecond = nanos;
    }

    /** Whether any input file has nanosecond timestamps (the output then has them too). */
    public boolean nanosecond() {
        return nanosecond;
    }

    /** The largest snap length of the inputs. */
    public int snaplen() {
        return snaplen;
    }

    @Override
    public String describe() {
        return files.size() + (files.size() == 1 ? " file" : " files");
    }

    @Override
    public int linkType() {
        return LinkType.of(linkTypeField);
    }

    @Override
    public int linkTypeField() {
        return linkTypeField;
    }

    @Override
    public byte[] savefileHeader() {
        return PcapFileHeader.encode(ByteOrder.LITTLE_ENDIAN, nanosecond, snaplen, linkTypeField);
    }

    @Override
    public boolean waitsWhenFull() {
        return true;
    }

    @Override
    public void appendSummary(StringBuilder out) {
        out.append(filesRead).append(filesRead == 1 ? " file" : " files").append(" read\n");
    }

    @Override
    public void run(PacketHandler handler) throws InputException, IOException {
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.cursor.timestampNanos(), b.cursor.timestampNanos());
            return c != 0 ? c : Integer.compare(a.file.order(), b.file.order());
        });
        // One output interface for the merged packets (all of one link type): --format pcapng
        // writes its description block before the first packet.
        handler.selectInterface(handler.declareInterface(new gulp.format.CaptureInterface("extract",
                "gulp extract of " + files.size() + (files.size() == 1 ? " file" : " files"), linkTypeField, snaplen, null)));
        int nextFile = 0;
        long batch = 0;
        try {
            while (true) {
                // Open every file that may hold a packet before the earliest head (mergecap has them all open).
                while (nextFile < files.size() && (heads.isEmpty()
                        || files.get(nextFile).index().minTimestamp <= heads.peek().cursor.timestampNanos())) {
                    Head h = open(files.get(nextFile++));
                    if (h != null && h.file.index().monotonic() && h.cursor instanceof PcapCursor) {
                        h.verbatimSnaplen = handler.verbatimSnaplen(h.file.format().nanosecond());
                    }
                    if (h != null && advance(h)) {
                        heads.add(h);
                    } else if (h != null) {
                        finish(h);
                    }
                }
                Head h = heads.poll();
                if (h == null) {
                    return;
                }
                RecordCursor c = h.cursor;
                long t = c.timestampNanos();
                if (t >= from && t < to) {
                    handler.onPacket(c.data(), c.dataOffset(), c.caplen(), c.wirelen(), t, PacketHandler.NO_VLAN_TAG);
                    if (++batch % 1024 == 0 || (h.verbatimSnaplen >= 0 && copyRun(h, heads, nextFile, handler))) {
                        handler.onBatchEnd();
                        if (handler.stopRequested()) {
                            return;
                        }
                    }
                }
                if (advance(h)) {
                    heads.add(h);
                } else {
                    finish(h);
                }
            }
        } finally {
            handler.onBatchEnd();
            for (Head h : heads) {
                h.cursor.close();
            }
        }
    }

    /**
     * Hands the records of a file in time order that follow its current one over in one piece,
     * as far as they are read already and come before every other file's head, the next file's
     * first packet and {@code to} (so the merge's order is kept: the equal timestamps of the bound
     * go the ordinary way). True when it handed any over.
     */
    private boolean copyRun(Head h, PriorityQueue<Head> heads, int nextFile, PacketHandler handler) {
        long bound = to;
        if (!heads.isEmpty()) {
            bound = Math.min(bound, heads.peek().cursor.timestampNanos());
        }
        if (nextFile < files.size()) {
            bound = Math.min(bound, files.get(nextFile).index().minTimestamp);
        }
        PcapCursor p = (PcapCursor) h.cursor;
        int n = p.verbatimRun(bound, h.verbatimSnaplen, handler.verbatimRunBytes());
        if (n > 0) {
            handler.onRecords(p.data(), p.runOffset(), p.runLength(), n);
        }
        return n > 0;
    }

    /**
     * Moves a file to its next packet the merge must see: for a file in time order, none before
     * {@code from} (the index's seek did most of that) and none at or after {@code to}.
     */
    private boolean advance(Head h) throws IOException {
        boolean ordered = h.file.index().monotonic();
        while (h.cursor.next()) {
            long t = h.cursor.timestampNanos();
            if (!ordered) {
                return true; // mergecap's order depends on every head of such a file
            }
            if (t >= to) {
                return false;
            }
            if (t >= from) {
                return true;
            }
        }
        return false;
    }

    private void finish(Head h) throws IOException {
        long shrank = h.cursor.shrankTo();
        if (shrank >= 0 && !h.file.part()) {
            report.accept(h.file.path() + ": shrank from " + h.file.size() + " to " + shrank
                    + " bytes during the extraction (truncated by another program?); its packets up to the cut are included");
        } else if (h.cursor.truncated() && !h.file.part()) {
            report.accept(h.file.path() + ": truncated; its packets up to the cut are included");
        }
        h.cursor.close();
    }

    private Head open(CaptureFile file) throws IOException {
        long offset = file.index().seekOffset(from);
        try {
            RecordCursor cursor = Catalog.openForWindow(file, offset, to);
            filesRead++;
            return new Head(file, cursor);
        } catch (NoSuchFileException e) {
            report.accept(file.path() + ": deleted during the extraction (retention?); skipped");
            return null;
        } catch (InputException e) {
            report.accept(file.path() + ": " + e.getMessage() + "; skipped");
            return null;
        }
    }
}
