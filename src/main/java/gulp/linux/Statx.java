package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct statx} (256 bytes, {@code <linux/stat.h>}), what {@code statx(2)} fills. Gulp's
 * {@link Libc#fstat} uses statx rather than {@code struct stat}, whose layout differs between
 * architectures; this one is the same on all of them. Only the fields gulp reads are named.
 * <pre>
 *   0        4          8               16        20      24      28       30        32
 *   | mask   | blksize  | attributes    | nlink   | uid   | gid   | mode   | spare0  |
 *  32                  40               48                56
 *   | ino              | size           | blocks          | attributes_mask |
 *  64 atime(16)  80 btime(16)  96 ctime(16)  112 mtime(16)
 * 128           132           136          140          144
 *   | rdev_major | rdev_minor | dev_major  | dev_minor  | mnt_id, alignment, spare ... up to 256 |
 * </pre>
 */
public final class Statx {
    public static final int MASK_OFFSET = 0;
    public static final int NLINK_OFFSET = 16;
    public static final int UID_OFFSET = 20;
    public static final int GID_OFFSET = 24;
    public static final int MODE_OFFSET = 28;
    public static final int INO_OFFSET = 32;
    public static final int SIZE_OFFSET = 40;
    public static final int BLOCKS_OFFSET = 48;
    public static final int DEV_MAJOR_OFFSET = 136;
    public static final int DEV_MINOR_OFFSET = 140;
    public static final int SIZE = 256;

    /** STATX_BASIC_STATS: type, mode, nlink, uid, gid, times, ino, size, blocks. */
    public static final int BASIC_STATS = 0x7ff;

    private static final MemoryLayout TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_INT.withName("tv_nsec"), JAVA_INT.withName("reserved"));

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"), JAVA_INT.withName("stx_blksize"), JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"), JAVA_INT.withName("stx_uid"), JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"), JAVA_SHORT.withName("spare0"),
            JAVA_LONG.withName("stx_ino"), JAVA_LONG.withName("stx_size"), JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            TIMESTAMP.withName("stx_atime"), TIMESTAMP.withName("stx_btime"),
            TIMESTAMP.withName("stx_ctime"), TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"), JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"), JAVA_INT.withName("stx_dev_minor"),
            MemoryLayout.sequenceLayout(14, JAVA_LONG).withName("spare")).withName("statx");

    static {
        LayoutCheck.offset(LAYOUT, "stx_mask", MASK_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_nlink", NLINK_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_uid", UID_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_gid", GID_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_mode", MODE_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_ino", INO_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_size", SIZE_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_blocks", BLOCKS_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_dev_major", DEV_MAJOR_OFFSET);
        LayoutCheck.offset(LAYOUT, "stx_dev_minor", DEV_MINOR_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    /** File type bits of a mode, and the types and bits gulp checks ({@code <sys/stat.h>}). */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_ISVTX = 01000;
    public static final int S_IWGRP = 0020;
    public static final int S_IWOTH = 0002;

    /** What gulp reads of a statx result. */
    public record FileStatus(int mode, int uid, int gid, long links, long size, long blocks, long inode,
                             int deviceMajor, int deviceMinor) {
        public boolean isRegularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        public boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        /** The permission bits, with set-id and sticky bits (07777). */
        public int permissions() {
            return mode & 07777;
        }
    }

    private Statx() {
    }

    static FileStatus read(MemorySegment statx) {
        return new FileStatus(statx.get(JAVA_SHORT, MODE_OFFSET) & 0xFFFF, statx.get(JAVA_INT, UID_OFFSET),
                statx.get(JAVA_INT, GID_OFFSET), statx.get(JAVA_INT, NLINK_OFFSET) & 0xFFFFFFFFL,
                statx.get(JAVA_LONG, SIZE_OFFSET), statx.get(JAVA_LONG, BLOCKS_OFFSET), statx.get(JAVA_LONG, INO_OFFSET),
                statx.get(JAVA_INT, DEV_MAJOR_OFFSET), statx.get(JAVA_INT, DEV_MINOR_OFFSET));
    }
}
