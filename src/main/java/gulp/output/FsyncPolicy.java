package gulp.output;

/** {@code --fsync}: when output files are forced to stable storage. */
public enum FsyncPolicy {
    /** Never: the kernel writes back when it likes; a power loss can lose the last ~30 s. */
    NEVER,
    /**
     * Default: each file is forced to disk before it gets its final name, and the directory after
     * the rename, so after a power loss every file with a final name is complete (only the
     * {@code .part} file being written can lose its end, and the next start repairs it).
     */
    FILE,
    /** Also after every write of the writer (about every 1 MiB, or every flush at low rates). */
    ALWAYS;

    public static FsyncPolicy parse(String value) throws OutputException {
        if (value == null) {
            return FILE;
        }
        return switch (value) {
            case "never" -> NEVER;
            case "file" -> FILE;
            case "always" -> ALWAYS;
            default -> throw new OutputException("--fsync takes never, file or always, not '" + value + "'");
        };
    }
}
