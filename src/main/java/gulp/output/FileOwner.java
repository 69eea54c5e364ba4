package gulp.output;

import gulp.linux.Identity;
import gulp.linux.Libc;
import gulp.linux.NativeException;

/**
 * Whose files gulp's output files are: the process's effective user, or with {@code --user} the
 * user gulp will drop to, set before the output is opened. Files gulp creates or takes over while
 * it still runs as root (the lock, a leftover {@code .part} it finishes) are then given to that
 * user at once ({@code fchown} on the descriptor), so after the drop rotation, retention and
 * {@code .part} finishing find files of their own.
 */
public final class FileOwner {
    private static volatile int handedUid = -1;
    private static volatile int handedGid = -1;

    private FileOwner() {
    }

    /** From now on the output's files belong to {@code uid}:{@code gid} ({@code --user}). */
    public static void handTo(int uid, int gid) {
        handedGid = gid;
        handedUid = uid;
    }

    /** The owner gulp's files must have: the {@code --user} user, else the effective user. */
    static int uid() {
        int uid = handedUid;
        return uid == -1 ? Libc.geteuid() : uid;
    }

    /**
     * Whether an existing file of {@code uid} is gulp's: its owner, or (still root, before the
     * drop) the effective user's, which {@link #claim} then hands over.
     */
    static boolean isOurs(int uid) {
        return uid == uid() || (handedUid != -1 && uid == Libc.geteuid());
    }

    /** Gives the open file {@code fd} to the {@code --user} user if it is not theirs yet. */
    static void claim(int fd, int currentUid) throws NativeException {
        int uid = handedUid;
        if (uid != -1 && currentUid != uid) {
            Identity.fchown(fd, uid, handedGid);
        }
    }
}
