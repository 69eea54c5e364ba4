package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The process's user and groups ({@code --user}): switching to another user for good, handing a
 * file to it, and asking what the (real) user may do. glibc applies setgroups, setgid and setuid
 * to every thread of the process (its "setxid" broadcast), so the JVM's threads all change user.
 */
public final class Identity {
    private static final int PR_SET_KEEPCAPS = 8;
    public static final int W_OK = 2;
    public static final int X_OK = 1;

    private static final class Calls {
        static final MethodHandle INITGROUPS = Libc.errnoCall("initgroups", JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle SETGID = Libc.errnoCall("setgid", JAVA_INT, JAVA_INT);
        static final MethodHandle SETUID = Libc.errnoCall("setuid", JAVA_INT, JAVA_INT);
        static final MethodHandle FCHOWN = Libc.errnoCall("fchown", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle ACCESS = Libc.errnoCall("access", JAVA_INT, ADDRESS, JAVA_INT);
        // prctl(2) is variadic after the option.
        static final MethodHandle PRCTL = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
        static final MethodHandle GETUID = Libc.errnoCall("getuid", JAVA_INT);
    }

    private Identity() {
    }

    /**
     * Becomes {@code user} (its supplementary groups, its group, its user id) for good, keeping
     * exactly the capabilities in {@code keep} (permitted and effective) on the calling thread,
     * none on the others. Threads the calling thread starts afterwards inherit its capabilities.
     *
     * @throws NativeException when a step fails, or when root could be regained afterwards
     */
    public static void becomeForGood(Passwd.User user, long keep) throws NativeException {
        Libc libc = Libc.current();
        if (keep != 0) {
            prctl(libc, PR_SET_KEEPCAPS, 1); // this thread keeps its permitted set across setuid
        }
        try (Arena arena = Arena.ofConfined()) {
            check(libc, (int) Calls.INITGROUPS.invokeExact(libc.callState, arena.allocateFrom(user.name()), user.gid()),
                    "initgroups");
            check(libc, (int) Calls.SETGID.invokeExact(libc.callState, user.gid()), "setgid");
            check(libc, (int) Calls.SETUID.invokeExact(libc.callState, user.uid()), "setuid");
        } catch (NativeException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
        if (keep != 0) {
            Capabilities.setThisThread(new Capabilities.Sets(keep, keep, 0));
            prctl(libc, PR_SET_KEEPCAPS, 0);
        }
        if (user.uid() != 0 && setuidSucceeds(libc, 0)) {
            throw new NativeException("setuid", Libc.EPERM, "root could be regained after switching to " + user.name());
        }
    }

    /** Gives the open file {@code fd} to {@code uid}:{@code gid}. */
    public static void fchown(int fd, int uid, int gid) throws NativeException {
        Libc libc = Libc.current();
        try {
            check(libc, (int) Calls.FCHOWN.invokeExact(libc.callState, fd, uid, gid), "fchown");
        } catch (NativeException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
    }

    /** Whether the real user and groups may access {@code path} in {@code mode} (access(2)); else the errno. */
    public static int access(String path, int mode) {
        Libc libc = Libc.current();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Calls.ACCESS.invokeExact(libc.callState, arena.allocateFrom(path), mode);
            return rc == 0 ? 0 : libc.errno();
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
    }

    /** The real user id. */
    public static int getuid() {
        try {
            return (int) Calls.GETUID.invokeExact(Libc.current().callState);
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
    }

    private static boolean setuidSucceeds(Libc libc, int uid) {
        try {
            return (int) Calls.SETUID.invokeExact(libc.callState, uid) == 0;
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
    }

    private static void prctl(Libc libc, int option, long value) throws NativeException {
        try {
            check(libc, (int) Calls.PRCTL.invokeExact(libc.callState, option, value, 0L, 0L, 0L), "prctl");
        } catch (NativeException | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
    }

    private static void check(Libc libc, int rc, String call) throws NativeException {
        if (rc != 0) {
            throw libc.failure(call);
        }
    }
}
