package gulp.extract;

import gulp.capture.InputException;
import gulp.output.FileNamer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The capture files of the directories an extraction reads: every regular file whose first
 * bytes are pcap or pcapng (gulp's finished files, the {@code .NAME.part} being written, other
 * tools' files), in the order the directories were named and, within one, by name. Each gets its
 * index: the one beside it when it agrees with the file, else one built by reading the file (a
 * file still being written is always read, so its newest packets are found). Of an index beside a
 * finished pcap file outside the window the catalog is made for, only the header is read: its times
 * and the first record it checks against the file; the time table and the summary (most of its
 * bytes) are read for the files of the window.
 */
public final class Catalog {
    private final List<CaptureFile> files;

    private Catalog(List<CaptureFile> files) {
        this.files = files;
    }

    List<CaptureFile> files() {
        return files;
    }

    /**
     * @param from   the window (inclusive) whose files get their whole index
     * @param to     its end (exclusive); an empty window ({@code to <= from}): headers only
     * @param report one line per file that cannot be used (deleted meanwhile, unreadable)
     * @throws IOException naming a directory that cannot be listed
     */
    public static Catalog of(List<Path> directories, long from, long to, Consumer<String> report) throws IOException {
        List<CaptureFile> files = new ArrayList<>();
        int order = 0;
        for (Path dir : directories) {
            for (Path path : candidates(dir)) {
                CaptureFile file = describe(path, order, from, to, report);
                if (file != null) {
                    files.add(file);
                    order++;
                }
            }
        }
        return new Catalog(files);
    }

    /** The regular files of {@code dir} that may be captures, sorted by name. */
    static List<Path> candidates(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir + ": not a directory");
        }
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (FileIndex.isIndexName(name) || (name.startsWith(".") && FileNamer.finalNameOfPart(name) == null)) {
                    continue; // indexes, lock files, probes
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    paths.add(p);
                }
            }
        }
        paths.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return paths;
    }

    /**
     * The file with its index (whole when the file is being written or its header places it in
     * [{@code from}, {@code to})), or null when it is not a capture file or is gone.
     */
    static CaptureFile describe(Path path, int order, long from, long to, Consumer<String> report) {
        boolean part = FileNamer.finalNameOfPart(path.getFileName().toString()) != null;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            CaptureFormat format = CaptureFormat.probe(path, channel);
            if (format == null) {
                return null;
            }
            Path indexPath = FileIndex.pathFor(path);
            // A pcapng file's index is checked against its file by the table's first entry. The
            // header places a finished pcap file in time; whichever is used is checked once (a stale
            // header that claims the window only costs its whole index's read).
            boolean whole = part || !format.seekable();
            FileIndex header = whole ? null : FileIndex.loadHeader(indexPath);
            FileIndex index = valid(whole || header != null && header.overlaps(from, to) ? FileIndex.load(indexPath) : header,
                    channel, size, part, format);
            boolean indexed = index != null;
            if (!indexed || (part && !format.seekable())) {
                index = scan(path, channel, format, size, null); // pcapng being written: read from its start
            } else if (part) {
                index = scan(path, channel, format, size, index); // what was written since the index so far
            }
            return new CaptureFile(path, order, size, format, index, part, indexed);
        } catch (NoSuchFileException e) {
            report.accept(path + ": deleted meanwhile; skipped");
            return null;
        } catch (IOException | InputException e) {
            report.accept(path + ": cannot be read (" + e.getMessage() + "); skipped");
            return null;
        }
    }

    /** {@code index} when it describes the file as it is now, else null. */
    private static FileIndex valid(FileIndex index, FileChannel channel, long size, boolean part, CaptureFormat format)
            throws IOException {
        return index != null && index.complete() && index.linkTypeField == format.linkTypeField()
                && index.agreesWith(channel, size, part, format.seekable()) ? index : null;
    }

    /** Builds the index of a file by reading it all. */
    static FileIndex scan(Path path, FileChannel channel, CaptureFormat format, long size) throws IOException, InputException {
        return scan(path, channel, format, size, null);
    }

    /** Builds the index of a file by reading it all, or, given the index {@code so far} of a file being written, its rest. */
    static FileIndex scan(Path path, FileChannel channel, CaptureFormat format, long size, FileIndex soFar)
            throws IOException, InputException {
        IndexBuilder builder = soFar == null ? new IndexBuilder(format.linkTypeField()) : new IndexBuilder(soFar);
        long end = soFar == null ? size : soFar.length;
        try (RecordCursor cursor = open(path, channel, format, soFar == null ? 0 : soFar.length, false)) {
            while (cursor.next()) {
                if (!builder.hasFirstRecord() && cursor.recordOffset() >= 0) {
                    builder.firstRecordHeader(cursor.data().asSlice(cursor.dataOffset() - 16, 16)
                            .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                builder.add(cursor.recordOffset(), cursor.timestampNanos(), cursor.data(), cursor.dataOffset(),
                        cursor.caplen());
                if (cursor.recordOffset() >= 0) {
                    end = cursor.recordOffset() + 16 + cursor.caplen();
                }
            }
        }
        return builder.build(format.seekable() ? end : size);
    }

    /**
     * A cursor for the merge on a capture file of the catalog: a finished seekable file read from
     * {@code offset} up to the size the catalog saw (one found shorter {@linkplain
     * RecordCursor#shrankTo shrank}) with the window asked of the disk at once, to past its
     * index's offset for {@code to}; a {@code .part} one from {@code offset} up to its size now;
     * anything else from its start.
     */
    static RecordCursor openForWindow(CaptureFile file, long offset, long to) throws IOException, InputException {
        if (file.format().seekable() && !file.part()) {
            PcapCursor.readAhead(file.path(), offset, file.index().windowEndOffset(to), file.size()); // before the channel: nothing to leak
            return new PcapCursor(FileChannel.open(file.path(), StandardOpenOption.READ), file.format(), offset, file.size());
        }
        return open(file.path(), null, file.format(), offset, false);
    }

    /**
     * A cursor on {@code path}: a seekable file from {@code offset} up to its size now, anything
     * else from its start. {@code ownChannel}: the cursor closes {@code channel} (else it opens its own).
     */
    static RecordCursor open(Path path, FileChannel channel, CaptureFormat format, long offset, boolean ownChannel)
            throws IOException, InputException {
        if (format.seekable()) {
            FileChannel c = ownChannel ? channel : FileChannel.open(path, StandardOpenOption.READ);
            try {
                return new PcapCursor(c, format, offset, c.size());
            } catch (IOException e) {
                c.close();
                throw e;
            }
        }
        if (ownChannel) {
            channel.close();
        }
        return new StreamCursor(path);
    }
}
