package gulp.output;

/**
 * When a rotating sink starts a new file. The writer thread asks it; cuts happen only at record
 * boundaries: before a record ({@link #cutBefore}) or at the last published record boundary
 * ({@link #cutNow}, for wall-clock intervals and SIGHUP, which must also work while no packets
 * arrive). The writer shows it every record in order: {@link #cutBefore} (a question, no side
 * effects), then {@link #addRecord} when the record goes into the current file; after a cut,
 * {@link #onNewFile}, and the record it was cut before is then the new file's first.
 */
public interface RotationPolicy {
    /** One file for the whole run. */
    RotationPolicy NEVER = new RotationPolicy() {
        @Override
        public boolean recordAware() {
            return false;
        }

        @Override
        public boolean cutBefore(long recordBytes, long timestampNanos) {
            return false;
        }

        @Override
        public void addRecord(long recordBytes, long timestampNanos) {
        }

        @Override
        public boolean cutNow(long wallClockNanos) {
            return false;
        }

        @Override
        public void onNewFile(long wallClockNanos) {
        }
    };

    /** True if {@link #cutBefore} must see every record (size, packet count, packet time). */
    boolean recordAware();

    /** Whether the current file must end before this record; changes nothing. */
    boolean cutBefore(long recordBytes, long timestampNanos);

    /** The record goes into the current file (called for each record after {@link #cutBefore}). */
    void addRecord(long recordBytes, long timestampNanos);

    /** Called at least every 100 ms: true ends the current file at the latest record boundary. */
    boolean cutNow(long wallClockNanos);

    /** A new file was started (its records follow through {@link #addRecord}). */
    void onNewFile(long wallClockNanos);

    /**
     * The time a file is named after: the wall clock when its first bytes are written, unless
     * the policy follows packet time ({@code firstRecordTimestampNanos} is -1 when not known).
     */
    default long nameTime(long wallClockNanos, long firstRecordTimestampNanos) {
        return wallClockNanos;
    }
}
