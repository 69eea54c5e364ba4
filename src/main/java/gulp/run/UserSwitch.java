package gulp.run;

import gulp.linux.Capabilities;
import gulp.linux.Identity;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.Passwd;
import gulp.output.FileOwner;

import java.util.function.Consumer;

/**
 * {@code --user NAME}: gulp opens what needs privileges as root (packet socket, kernel ring, the
 * locked ring, the output directory and its lock), then becomes NAME, with NAME's groups, for
 * good. What it still does after that needs no capability (writing, rotating and deleting files,
 * the stop path's reject-all filter and rebind on the open socket, {@code -Z}), except raising the
 * reader thread's priority, which happens when that thread starts: CAP_SYS_NICE alone is kept
 * for that (prctl PR_SET_KEEPCAPS, then capset), and only when the reader's priority is raised
 * and gulp had it. The other threads keep nothing; {@code -Z} commands, started by execve as
 * NAME, get no capability.
 */
final class UserSwitch {
    private final Passwd.User user;

    private UserSwitch(Passwd.User user) {
        this.user = user;
    }

    /**
     * The user of {@code --user}, looked up before anything is opened; null without the option.
     * Files the output creates from now on are NAME's ({@link FileOwner}).
     *
     * @throws SetupException (bad usage) for a missing user, or a switch an ordinary user cannot make
     */
    static UserSwitch prepare(Options options) throws SetupException {
        if (options.runUser == null) {
            return null;
        }
        Passwd.User user;
        try {
            user = Passwd.lookup(options.runUser);
        } catch (NativeException e) {
            throw new SetupException(Outcome.Status.FAILED, "--user " + options.runUser
                    + ": cannot read the user database (" + e.getMessage() + ")");
        }
        if (user == null) {
            throw new SetupException(Outcome.Status.BAD_USAGE, "--user " + options.runUser + ": no such user");
        }
        int euid = Libc.geteuid();
        if (euid != 0 && euid != user.uid()) {
            throw new SetupException(Outcome.Status.BAD_USAGE, "--user " + user.name() + ": only root can switch to"
                    + " another user (gulp runs as uid " + Integer.toUnsignedString(euid) + ")");
        }
        if (euid == 0) {
            FileOwner.handTo(user.uid(), user.gid());
        }
        return new UserSwitch(user);
    }

    /**
     * Becomes the user; then checks that it can create files in {@code outputDirectory} (null for
     * stdout).
     *
     * @param raiseReader whether the reader thread will raise its priority (CAP_SYS_NICE is kept for it)
     * @param messages    one line about what was kept
     * @throws SetupException when the switch fails, or the user cannot write the directory (output error)
     */
    void become(boolean raiseReader, String outputDirectory, Consumer<String> messages) throws SetupException {
        boolean root = Libc.geteuid() == 0;
        long keep = 0;
        if (raiseReader && root) {
            try {
                if (Capabilities.ofThisThread().hasEffective(Capabilities.CAP_SYS_NICE)) {
                    keep = Capabilities.bit(Capabilities.CAP_SYS_NICE);
                }
            } catch (NativeException e) {
                keep = 0; // then the reader's priority stays as it is, with one warning
            }
        }
        if (root) { // else gulp already runs as the user (prepare refused any other): nothing to switch
            try {
                Identity.becomeForGood(user, keep);
            } catch (NativeException e) {
                throw new SetupException(Outcome.Status.FAILED, "--user " + user.name() + ": cannot switch to uid "
                        + Integer.toUnsignedString(user.uid()) + ": " + e.getMessage());
            }
        }
        if (outputDirectory != null) {
            int errno = Identity.access(outputDirectory, Identity.W_OK | Identity.X_OK);
            if (errno != 0) {
                throw new SetupException(Outcome.Status.OUTPUT_FAILED, "--user " + user.name() + " (uid "
                        + Integer.toUnsignedString(user.uid()) + ") cannot create files in the capture directory "
                        + outputDirectory + " (" + Libc.strerror(errno) + "); give it the directory (chown) or"
                        + " write access");
            }
        }
        messages.accept("running as user " + user.name() + " (uid " + Integer.toUnsignedString(user.uid()) + ", gid "
                + Integer.toUnsignedString(user.gid()) + "), capabilities kept: " + Capabilities.names(keep));
    }
}
