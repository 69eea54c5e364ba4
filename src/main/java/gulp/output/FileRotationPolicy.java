package gulp.output;

import java.util.function.LongSupplier;

/**
 * When {@code -o} starts a new file: after a size ({@code -C}, {@code --rotate-size}), a packet
 * count ({@code --rotate-packets}), at wall-clock interval boundaries ({@code -G}: multiples of the
 * interval since the epoch, so {@code -G 60} cuts at every full minute), at packet-time interval
 * boundaries ({@code --rotate-by-packet-time}), or on request (SIGHUP). Any cut resets every
 * criterion. A file is never cut before its first record, so no criterion makes empty files.
 *
 * <p>Called from the writer thread only, except {@link #requestRotation()} (any thread).
 */
public final class FileRotationPolicy implements RotationPolicy {
    private final long maxFileBytes;      // 0 = no size limit; counts the file header too
    private final long maxFileRecords;    // 0 = no count limit
    private final long intervalNanos;     // 0 = no time rotation
    private final boolean byPacketTime;
    private final long fileHeaderBytes;
    private final LongSupplier wallClockNanos;

    private volatile boolean rotationRequested;

    private long fileBytes;
    private long fileRecords;
    private long intervalEnd = Long.MIN_VALUE; // end of the current file's interval (wall or packet time)

    /**
     * @param maxFileBytes   0 for none
     * @param maxFileRecords 0 for none
     * @param intervalNanos  0 for none
     * @param byPacketTime   intervals follow the records' timestamps instead of the wall clock
     * @param wallClockNanos the wall clock (nanoseconds since the epoch); injectable for tests
     */
    public FileRotationPolicy(long maxFileBytes, long maxFileRecords, long intervalNanos, boolean byPacketTime,
                              long fileHeaderBytes, LongSupplier wallClockNanos) {
        this.maxFileBytes = maxFileBytes;
        this.maxFileRecords = maxFileRecords;
        this.intervalNanos = intervalNanos;
        this.byPacketTime = byPacketTime;
        this.fileHeaderBytes = fileHeaderBytes;
        this.wallClockNanos = wallClockNanos;
        this.fileBytes = fileHeaderBytes;
    }

    /** Wall clock of the system, in nanoseconds since the epoch (millisecond resolution is plenty). */
    public static long systemWallClockNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /** Ends the current file at the next record boundary (SIGHUP); safe from any thread. */
    public void requestRotation() {
        rotationRequested = true;
    }

    @Override
    public boolean recordAware() {
        return true;
    }

    @Override
    public boolean cutBefore(long recordBytes, long timestampNanos) {
        return fileRecords > 0 && (rotationRequested
                || (maxFileBytes > 0 && fileBytes + recordBytes > maxFileBytes)
                || (maxFileRecords > 0 && fileRecords >= maxFileRecords)
                || (intervalNanos > 0 && timeOf(timestampNanos) >= intervalEnd));
    }

    @Override
    public void addRecord(long recordBytes, long timestampNanos) {
        if (fileRecords == 0) {
            rotationRequested = false; // A SIGHUP while the file was empty had nothing to finish.
            if (intervalNanos > 0) {
                // The file's interval is the one its first record falls in (the file may have been
                // started long before, at an idle rotation).
                intervalEnd = intervalEndAfter(timeOf(timestampNanos));
            }
        }
        fileBytes += recordBytes;
        fileRecords++;
    }

    @Override
    public boolean cutNow(long wallClockNanos) {
        if (fileRecords == 0) {
            rotationRequested = false; // nothing to finish
            return false;
        }
        return rotationRequested || (intervalNanos > 0 && !byPacketTime && wallClockNanos >= intervalEnd);
    }

    @Override
    public void onNewFile(long wallClockNanos) {
        rotationRequested = false;
        startFile(wallClockNanos);
    }

    /** With {@code --rotate-by-packet-time} a file is named after its first record's timestamp. */
    @Override
    public long nameTime(long wallClockNanos, long firstRecordTimestampNanos) {
        return byPacketTime && firstRecordTimestampNanos >= 0 ? firstRecordTimestampNanos : wallClockNanos;
    }

    private void startFile(long now) {
        fileBytes = fileHeaderBytes;
        fileRecords = 0;
        if (intervalNanos > 0) {
            intervalEnd = intervalEndAfter(now);
        }
    }

    private long timeOf(long recordTimestampNanos) {
        return byPacketTime ? recordTimestampNanos : wallClockNanos.getAsLong();
    }

    /** The first multiple of the interval (since the epoch) after {@code time}. */
    private long intervalEndAfter(long time) {
        return Math.floorDiv(time, intervalNanos) * intervalNanos + intervalNanos;
    }

    /** Records counted in the current file (for tests and status). */
    long fileRecords() {
        return fileRecords;
    }
}
