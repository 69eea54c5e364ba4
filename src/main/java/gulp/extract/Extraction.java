package gulp.extract;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code gulp extract} before packets flow: the catalog of the directories, the files that may
 * hold packets of the window and the filter (by their index's times and summary), and
 * {@code --list}'s answer. The packets themselves come from {@link #source()} through the
 * ordinary packet path.
 */
public final class Extraction {
    /** A stretch of the window longer than this without any file is reported as a gap. */
    public static final long GAP_NANOS = 60_000_000_000L;

    private final Catalog catalog;
    private final List<CaptureFile> chosen;
    private final long from;
    private final long to;
    private final int skippedBySummary;
    private final Consumer<String> report;

    private Extraction(Catalog catalog, List<CaptureFile> chosen, long from, long to, int skippedBySummary,
                       Consumer<String> report) {
        this.catalog = catalog;
        this.chosen = chosen;
        this.from = from;
        this.to = to;
        this.skippedBySummary = skippedBySummary;
        this.report = report;
    }

    /**
     * @param filter      the {@code -f} expression (null: none); its {@link SummaryQuery} skips files
     * @param innerFrames {@code -d}: the filter applies to inner frames, which the summaries do not describe
     * @throws IOException naming a directory that cannot be read
     */
    public static Extraction prepare(List<Path> directories, long from, long to, String filter, boolean innerFrames,
                                     Consumer<String> report) throws IOException {
        Catalog catalog = Catalog.of(directories, from, to, report);
        SummaryQuery query = innerFrames ? SummaryQuery.ALL : SummaryQuery.of(filter);
        List<CaptureFile> chosen = new ArrayList<>();
        int skipped = 0;
        int linkType = -1;
        for (CaptureFile f : catalog.files()) {
            if (!f.overlaps(from, to)) {
                continue;
            }
            if (!query.mayMatch(f.index().summary)) {
                skipped++;
                continue;
            }
            int fileLink = f.format().linkTypeField();
            if (linkType == -1) {
                linkType = fileLink;
            } else if (fileLink != linkType) {
                report.accept(f.path() + ": link type " + fileLink + " differs from the first file's " + linkType
                        + " (one output holds one link type); skipped");
                continue;
            }
            chosen.add(f);
        }
        return new Extraction(catalog, chosen, from, to, skipped, report);
    }

    /** The merged packets of the chosen files within the window. */
    public MergeSource source() {
        int fallback = catalog.files().isEmpty() ? 1 : catalog.files().get(0).format().linkTypeField();
        return new MergeSource(chosen, from, to, fallback, report);
    }

    /** Files the summaries ruled out for the filter. */
    public int skippedBySummary() {
        return skippedBySummary;
    }

    /** Files the extraction reads. */
    public int chosenCount() {
        return chosen.size();
    }

    /**
     * {@code --list}: one line per file that may hold packets of the window (first and last
     * timestamp, packets, bytes, whether an index was used), then gaps of the window no file covers.
     */
    public void list(PrintStream out, ZoneId zone) {
        for (CaptureFile f : chosen) {
            FileIndex i = f.index();
            out.println(f.path() + "  " + TimeSpec.format(i.minTimestamp, zone) + "  " + TimeSpec.format(i.maxTimestamp, zone)
                    + "  " + i.packets + " packets  " + f.size() + " bytes  " + f.format().description()
                    + (f.part() ? "  (being written)" : "") + (f.indexed() ? "  indexed" : "  read"));
        }
        if (skippedBySummary > 0) {
            out.println("(" + skippedBySummary + (skippedBySummary == 1 ? " file" : " files")
                    + " of the window cannot match the filter by their index)");
        }
        for (long[] gap : gaps()) {
            report.accept("warning: no file covers " + TimeSpec.format(gap[0], zone) + " to " + TimeSpec.format(gap[1], zone)
                    + " (" + (gap[1] - gap[0]) / 1_000_000_000L + " s)");
        }
    }

    /** Stretches of the window longer than {@link #GAP_NANOS} that no file of the catalog spans. */
    List<long[]> gaps() {
        List<CaptureFile> spans = new ArrayList<>();
        for (CaptureFile f : catalog.files()) {
            if (f.index().packets > 0) {
                spans.add(f);
            }
        }
        spans.sort(Comparator.comparingLong(f -> f.index().minTimestamp));
        List<long[]> gaps = new ArrayList<>();
        if (spans.isEmpty()) {
            return gaps;
        }
        long start = from == Long.MIN_VALUE ? spans.get(0).index().minTimestamp : from;
        long end = to == Long.MAX_VALUE ? spans.stream().mapToLong(f -> f.index().maxTimestamp).max().orElse(start) : to;
        long covered = start;
        for (CaptureFile f : spans) {
            long a = f.index().minTimestamp, b = f.index().maxTimestamp;
            if (a > covered && Math.min(a, end) - covered > GAP_NANOS) {
                gaps.add(new long[] {covered, Math.min(a, end)});
            }
            covered = Math.max(covered, b);
            if (covered >= end) {
                break;
            }
        }
        if (end - covered > GAP_NANOS) {
            gaps.add(new long[] {covered, end});
        }
        return gaps;
    }

    /**
     * {@code gulp index DIR...}: writes {@code NAME.idx} beside every finished capture file that has
     * none, or one that disagrees with it. Returns the number of indexes written.
     */
    public static int indexDirectories(List<Path> directories, Consumer<String> report) throws IOException {
        int written = 0;
        for (CaptureFile f : Catalog.of(directories, 0, 0, report).files()) { // headers: enough to check them
            if (f.indexed() || f.part() || !f.format().seekable()) {
                continue;
            }
            try {
                f.index().store(FileIndex.pathFor(f.path()));
                written++;
            } catch (IOException e) {
                report.accept("cannot write the index of " + f.path() + ": " + e.getMessage());
            }
        }
        return written;
    }
}
