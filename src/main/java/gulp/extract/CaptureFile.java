package gulp.extract;

import java.nio.file.Path;

/**
 * One capture file of the directories an extraction reads, with the index that describes it
 * (loaded from beside it, or built by reading the file). For a file outside the window the
 * catalog was made for, the index may be its {@linkplain FileIndex#headerOnly header} alone.
 *
 * @param order    its place in the order files are given (directories as named, names sorted):
 *                 packets with equal timestamps come out in this order, as {@code mergecap}'s do
 * @param size     bytes, when the catalog was made
 * @param part     a {@code .NAME.part} file still being written (or left by a killed run)
 * @param indexed  true when the index was read from beside the file, false when built by reading it
 */
record CaptureFile(Path path, int order, long size, CaptureFormat format, FileIndex index, boolean part,
                   boolean indexed) {

    boolean overlaps(long from, long to) {
        return index.overlaps(from, to);
    }
}
