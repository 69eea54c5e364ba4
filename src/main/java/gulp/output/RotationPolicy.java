package gulp.output;

/**
 * When a rotating sink starts a new file. The writer thread asks it; cuts happen only at record
 * boundaries: before a record ({@link #cutBefore}) or at the last published record boundary
 * ({@link #cutNow}, for wall-clock intervals and SIGHUP, which must also work while no packets
 * arrive).
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
        public boolean cutNow(long wallClockNanos) {
            return false;
        }

        @Override
        public void onNewFile(long wallClockNanos, long firstRecordTimestampNanos) {
        }
    };

    /** True if {@link #cutBefore} must see every record (size, packet count, packet time). */
    boolean recordAware();

    /** Called for each record in order, before it is written: true starts a new file before it. */
    boolean cutBefore(long recordBytes, long timestampNanos);

    /** Called at least every 100 ms: true ends the current file at the latest record boundary. */
    boolean cutNow(long wallClockNanos);

    /** A new file was started ({@code firstRecordTimestampNanos} is -1 when not known). */
    void onNewFile(long wallClockNanos, long firstRecordTimestampNanos);
}
