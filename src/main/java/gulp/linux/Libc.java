package gulp.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.FileSystemException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls gulp needs, as FFM downcalls. The method handles are shared; the errno
 * capture buffer is per thread, so use {@link #current()} on the thread that makes the call (the
 * reader thread keeps its own instance).
 *
 * <p>Longer than the other classes on purpose: every libc downcall lives here, so that all native
 * access is in one reviewable place, and each method is a thin wrapper of one call.
 * <p>
 * Why one class of this length: it is the one place every libc downcall is bound (a method handle
 * each, with its errno capture), as the ground rules ask for native access.
 */
public final class Libc {
    // Constants (x86-64 / generic Linux ABI).
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int ENETDOWN = 100;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ELOOP = 40;
    public static final int ENOSPC = 28;
    public static final int EDQUOT = 122;
    /** The file system does not implement the call (fallocate on ext2/ext3 files, vfat, NFSv3). */
    /** errno values run from 1 to 133 on Linux (EHWPOISON). */
    private static final int MAX_ERRNO = 133;

    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    /** Cooked packet sockets ({@code -i any}): the kernel removes the link-layer header. */
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int ETH_P_ALL = 0x0003;
    public static final int SOL_SOCKET = 1;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_DETACH_FILTER = 27;
    public static final int SOL_PACKET = 263;
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    /** Linux 4.20+: the socket no longer sees packets this host sends. */
    public static final int PACKET_IGNORE_OUTGOING = 23;
    /** Room the kernel leaves in front of each packet in the ring (for a header built in place). */
    public static final int PACKET_RESERVE = 12;
    /** setsockopt(SOL_PACKET, PACKET_FANOUT, int): the value's layout is in {@link PacketFanout}. */
    public static final int PACKET_FANOUT = 18;
    public static final int TPACKET_V3 = 2;
    public static final int PACKET_MR_PROMISC = 1;

    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    /** mremap: the mapping may move, to the address given (with old size 0: a second mapping of shared pages). */
    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    /** The page size gulp maps in (x86-64 and the arm64 kernels gulp runs on: 4 KiB). */
    public static final long PAGE_SIZE = 4096;
    /** Fault every page in at mmap time (the kernel zeroes them: no page faults on first touch). */
    public static final int MAP_POPULATE = 0x8000;
    /** madvise: fault every page of the range in, writable, contents unchanged (Linux 5.14 and later). */
    public static final int MADV_POPULATE_WRITE = 23;
    /** madvise: the range will be read soon; the kernel starts reading a file mapping's pages in, without waiting. */
    public static final int POSIX_FADV_WILLNEED = 3;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_NONBLOCK = 04000;
    public static final int O_NOFOLLOW = 0400000;
    /** O_DIRECT differs between architectures: x86-64 040000, arm64 0200000 (the two gulp is built for; others differ again). */
    public static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0200000 : 040000;
    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int PRIO_PROCESS = 0;
    public static final int SCHED_FIFO = 1;
    public static final long SYS_GETTID = 186;

    /** cpu_set_t: a bit mask of 1024 CPUs, CPU n at bit n % 64 of the n / 64-th 64-bit word. */
    public static final int CPU_SET_BYTES = 128;
    public static final int MAX_CPUS = CPU_SET_BYTES * 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");


    // Downcall handles are created on first use, one group at a time: each costs start-up time.
    // The calls only the test bed needs (setns, send, sendmmsg) are in src/test (gulp.linux.TestLibc).
    private static final class Sockets {
        static final MethodHandle SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle SETSOCKOPT = errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle GETSOCKOPT = errnoCall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle POLL = errnoCall("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle IF_NAMETOINDEX = errnoCall("if_nametoindex", JAVA_INT, ADDRESS);
    }

    // Every run maps its ring (its start twice: mapMirrored); only a live capture opens sockets
    // (a file run would link seven handles for nothing). Each handle of a new shape costs a run
    // some milliseconds of CPU to link: the mirror is one (mremap), not a memfd's three. Unmapping
    // (at the end) and madvise (on the fault-in thread) are linked apart, off the start's path.
    private static final class Memory {
        static final MethodHandle MMAP = errnoCall("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
        // mremap(2) is variadic: the new address is the first variadic argument.
        static final MethodHandle MREMAP = LINKER.downcallHandle(LOOKUP.find("mremap").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS), CAPTURE_ERRNO,
                Linker.Option.firstVariadicArg(4));
    }

    private static final class Unmap {
        static final MethodHandle MUNMAP = errnoCall("munmap", JAVA_INT, ADDRESS, JAVA_LONG);
    }

    private static final class Advise {
        static final MethodHandle MADVISE = errnoCall("madvise", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    private static final class Scheduling {
        static final MethodHandle SCHED_SETAFFINITY = errnoCall("sched_setaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final MethodHandle SCHED_GETAFFINITY = errnoCall("sched_getaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
        static final MethodHandle SETPRIORITY = errnoCall("setpriority", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle SYSCALL1 = errnoCall("syscall", JAVA_LONG, JAVA_LONG);
    }

    // Every run pins its threads (Scheduling); locking memory and real-time priority are a live capture's.
    private static final class Locking {
        static final MethodHandle MLOCK2 = errnoCall("mlock2", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle SCHED_SETSCHEDULER = errnoCall("sched_setscheduler", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }

    // close(2) alone (about 4 ms to link, where the socket group took 20-40 ms): a file run closes
    // descriptors (the -o lock file at start, a stdout file's O_DIRECT descriptor at the end)
    // without linking the socket calls.
    private static final class Close {
        static final MethodHandle CLOSE = errnoCall("close", JAVA_INT, JAVA_INT);
    }

    // Linked alone: stdout's O_DIRECT reopening needs open(2) only, not the -o files' other calls.
    private static final class Open {
        // open(2) is variadic: the mode is the first variadic argument (an int after promotion).
        static final MethodHandle OPEN = LINKER.downcallHandle(LOOKUP.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    private static final class FileCalls {
        static final MethodHandle STATX = errnoCall("statx", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle FCHMOD = errnoCall("fchmod", JAVA_INT, JAVA_INT, JAVA_INT);
        // posix_fadvise returns the error number (it does not set errno).
        static final MethodHandle POSIX_FADVISE = LINKER.downcallHandle(LOOKUP.find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        static final MethodHandle GETEUID = LINKER.downcallHandle(LOOKUP.find("geteuid").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle GETEGID = LINKER.downcallHandle(LOOKUP.find("getegid").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
    }

    // Bound on the first O_DIRECT output file (output.DirectWrites), not at every start.
    private static final class DirectIo {
        static final MethodHandle PWRITEV = errnoCall("pwritev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);
        static final MethodHandle FALLOCATE = errnoCall("fallocate", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }

    /**
     * pwritev(2): writes the {@code count} buffers of the {@link IoVec} array {@code iov} at
     * {@code offset}, one after the other, without moving the descriptor's offset. Returns how
     * many bytes were written (fewer than asked only when the disk filled or a signal came).
     */
    public long pwritev(int fd, MemorySegment iov, int count, long offset) throws NativeException {
        long rc;
        try {
            rc = (long) DirectIo.PWRITEV.invokeExact(callState, fd, iov, count, offset);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc < 0) {
            throw failure("pwritev");
        }
        return rc;
    }

    /**
     * fallocate(2) with mode 0: gives the file blocks for {@code [offset, offset + length)} and
     * grows its size to cover them (the new blocks read as zeros until written).
     */
    public void fallocate(int fd, long offset, long length) throws NativeException {
        int rc;
        try {
            rc = (int) DirectIo.FALLOCATE.invokeExact(callState, fd, 0, offset, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("fallocate");
        }
    }

    private static final class Messages {
        static final MethodHandle STRERROR = LINKER.downcallHandle(LOOKUP.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final ThreadLocal<Libc> PER_THREAD = ThreadLocal.withInitial(Libc::new);

    /** errno of the last call made through this instance (package-private for TestLibc). */
    final MemorySegment callState = Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    /** Small scratch memory for arguments (ints, pollfd, cpu sets, names): this thread only. */
    private final MemorySegment scratch = Arena.ofAuto().allocate(256, 16);

    private Libc() {
    }

    /** The instance for the calling thread. */
    public static Libc current() {
        return PER_THREAD.get();
    }

    /**
     * Binds the downcalls a live capture makes before it listens (sockets, then CPU affinity and
     * mlock), so a thread started early can do it beside the main thread's set-up: each costs
     * start-up time, and a class initialised on one thread is ready for all.
     */
    public static void linkCaptureCalls() {
        try {
            MethodHandle socket = Sockets.SOCKET;
            MethodHandle mmap = Memory.MMAP;
            MethodHandle affinity = Scheduling.SCHED_GETAFFINITY;
            MethodHandle mlock = Locking.MLOCK2;
        } catch (LinkageError e) {
            // the main thread's own first call reports it, as it would without this thread
        }
    }

    /**
     * Binds the downcalls a run from capture files or stdin makes for its ring and its output, in
     * the order it makes them (mmap; with {@code files}, for {@code -o}, the calls that create
     * files safely; open, the O_DIRECT writes, close; munmap at the end), as {@link #linkCaptureCalls} does for a
     * live capture: in a thread started early, beside the main thread's set-up.
     */
    public static void linkFileRunCalls(boolean files) {
        try {
            MethodHandle mmap = Memory.MMAP;
            if (files) {
                MethodHandle statx = FileCalls.STATX;
            }
            MethodHandle open = Open.OPEN;
            MethodHandle pwritev = DirectIo.PWRITEV;
            MethodHandle close = Close.CLOSE;
            MethodHandle munmap = Unmap.MUNMAP;
        } catch (LinkageError e) {
            // the main thread's own first call reports it, as it would without this thread
        }
    }

    static MethodHandle errnoCall(String name, ValueLayout result, ValueLayout... arguments) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, arguments), CAPTURE_ERRNO);
    }

    /** errno after the last failed call on this thread's instance. */
    public int errno() {
        return (int) ERRNO.get(callState, 0L);
    }

    NativeException failure(String call) {
        int errno = errno();
        return new NativeException(call, errno, strerror(errno));
    }

    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Messages.STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }

    /**
     * The errno a JDK I/O exception stands for, or 0. The JDK reports a failed system call with the
     * C library's text for its errno (the reason of a {@link FileSystemException}, else the message),
     * in the process's locale; this maps that text back through the same C library, so callers test
     * an errno instead of matching English words.
     */
    public static int errnoOf(IOException e) {
        String text = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (text == null) {
            return 0;
        }
        for (int errno = 1; errno <= MAX_ERRNO; errno++) {
            if (text.equals(strerror(errno))) {
                return errno;
            }
        }
        return 0;
    }

    static RuntimeException unexpected(Throwable e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    public int socket(int domain, int type, int protocol) throws NativeException {
        int fd;
        try {
            fd = (int) Sockets.SOCKET.invokeExact(callState, domain, type, protocol);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (fd < 0) {
            throw failure("socket");
        }
        return fd;
    }

    public void setsockopt(int fd, int level, int option, MemorySegment value, String what) throws NativeException {
        int rc;
        try {
            rc = (int) Sockets.SETSOCKOPT.invokeExact(callState, fd, level, option, value, (int) value.byteSize());
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure(what);
        }
    }

    public void setsockoptInt(int fd, int level, int option, int value, String what) throws NativeException {
        MemorySegment v = scratch.asSlice(0, 4);
        v.set(JAVA_INT, 0, value);
        setsockopt(fd, level, option, v, what);
    }

    /** Fills {@code value} (its whole size) and returns the length the kernel reported. */
    public int getsockopt(int fd, int level, int option, MemorySegment value, String what) throws NativeException {
        MemorySegment length = scratch.asSlice(0, 4);
        length.set(JAVA_INT, 0, (int) value.byteSize());
        int rc;
        try {
            rc = (int) Sockets.GETSOCKOPT.invokeExact(callState, fd, level, option, value, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure(what);
        }
        return length.get(JAVA_INT, 0);
    }

    public void bind(int fd, MemorySegment address) throws NativeException {
        int rc;
        try {
            rc = (int) Sockets.BIND.invokeExact(callState, fd, address, (int) address.byteSize());
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("bind");
        }
    }

    /** mmap(NULL, length, prot, flags, fd, 0): returns a segment of {@code length} bytes. */
    public MemorySegment mmap(long length, int prot, int flags, int fd) throws NativeException {
        return mmap(MemorySegment.NULL, length, prot, flags, fd, 0L);
    }

    /** mmap(2) at {@code address} (a hint, or with MAP_FIXED the place), of {@code fd} from {@code offset}. */
    private MemorySegment mmap(MemorySegment address, long length, int prot, int flags, int fd, long offset)
            throws NativeException {
        MemorySegment mapped;
        try {
            mapped = (MemorySegment) Memory.MMAP.invokeExact(callState, address, length, prot, flags, fd, offset);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (mapped.address() == -1L) { // MAP_FAILED, not NULL
            throw failure("mmap");
        }
        return mapped.reinterpret(length);
    }

    /**
     * Anonymous private memory of {@code length} bytes, page-aligned, its pages faulted in and
     * zeroed by the kernel (MAP_POPULATE: one pass, where an allocation that zeroes in user space
     * first takes a page fault per page and then writes every byte again); unmapped when
     * {@code arena} closes.
     */
    public MemorySegment mapAnonymous(long length, Arena arena) throws NativeException {
        return mapAnonymous(length, true, arena);
    }

    /**
     * Like {@link #mapAnonymous(long, Arena)}; with {@code populate} false the pages are faulted
     * in later, on first touch or by {@link #populateWrite} (locked as it faults in after {@link #mlockOnFault}).
     */
    public MemorySegment mapAnonymous(long length, boolean populate, Arena arena) throws NativeException {
        MemorySegment mapping = mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1);
        return mapping.reinterpret(arena, unmapped -> {
            try {
                current().munmap(unmapped.reinterpret(length));
            } catch (NativeException e) {
                // the address space is reclaimed at exit anyway
            }
        });
    }

    /** Whether {@link #mapMirrored} takes these sizes: both whole pages, the mirror at most the capacity. */
    public static boolean canMapMirrored(long capacity, long mirror) {
        return mirror > 0 && mirror % PAGE_SIZE == 0 && capacity % PAGE_SIZE == 0 && mirror <= capacity;
    }

    /**
     * {@code capacity} bytes of memory whose first {@code mirror} bytes are mapped a second time
     * right after it (both whole pages, {@code mirror} at most {@code capacity}): the bytes at
     * {@code i} and {@code capacity + i} are one byte for {@code i < mirror}, so a ring over it
     * ({@code ring.ByteRing.overMirrored}) reads and writes a record that passes its end in one
     * piece. The first {@code mirror} bytes are shared anonymous memory (shmem), mapped again by
     * mremap with an old size of 0 (a second mapping of the same pages); the rest is private
     * anonymous memory as {@link #mapAnonymous} gives (with the large folios the kernel may use for
     * it, which it does not for shmem), all in one reserved range:
     * <pre>
     * address  0            mirror                     capacity     capacity + mirror
     *          | shared 0.. | private                  | shared 0.. |
     * </pre>
     * With {@code populate} the pages are faulted in (and zeroed) now (MAP_POPULATE); the second
     * mapping of the shared pages fills its page table on first touch. Unmapped when
     * {@code arena} closes.
     */
    public MemorySegment mapMirrored(long capacity, long mirror, boolean populate, Arena arena) throws NativeException {
        if (!canMapMirrored(capacity, mirror)) {
            throw new IllegalArgumentException("a mirrored mapping needs whole pages, the mirror at most the capacity: "
                    + capacity + " and " + mirror + " bytes");
        }
        long length = capacity + mirror;
        int rw = PROT_READ | PROT_WRITE;
        int fill = populate ? MAP_POPULATE : 0;
        MemorySegment range = mmap(length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1); // reserves the addresses
        try {
            mmap(range, mirror, rw, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED | fill, -1, 0L);
            if (capacity > mirror) {
                mmap(range.asSlice(mirror), capacity - mirror, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | fill, -1, 0L);
            }
            mremapSecondMapping(range, mirror, range.asSlice(capacity));
        } catch (NativeException | RuntimeException e) {
            try {
                munmap(range);
            } catch (NativeException ignored) {
                // the address space is reclaimed at exit anyway
            }
            throw e;
        }
        return range.reinterpret(arena, unmapped -> {
            try {
                current().munmap(unmapped.reinterpret(length));
            } catch (NativeException e) {
                // the address space is reclaimed at exit anyway
            }
        });
    }

    /** mremap(shared, 0, length, MREMAP_MAYMOVE | MREMAP_FIXED, at): the pages of {@code shared} mapped again at {@code at}. */
    private void mremapSecondMapping(MemorySegment shared, long length, MemorySegment at) throws NativeException {
        MemorySegment mapped;
        try {
            mapped = (MemorySegment) Memory.MREMAP.invokeExact(callState, shared, 0L, length, MREMAP_MAYMOVE | MREMAP_FIXED, at);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (mapped.address() == -1L) { // MAP_FAILED
            throw failure("mremap");
        }
        if (mapped.address() != at.address()) {
            throw new IllegalStateException("mremap placed the second mapping elsewhere");
        }
    }

    /**
     * Faults every page of {@code memory} in, writable, leaving the bytes as they are
     * (MADV_POPULATE_WRITE): safe while another thread writes the same memory. False (errno set)
     * when the kernel refuses (before 5.14: EINVAL).
     */
    public boolean populateWrite(MemorySegment memory) {
        try {
            return (int) Advise.MADVISE.invokeExact(callState, memory, memory.byteSize(), MADV_POPULATE_WRITE) == 0;
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /**
     * Asks the kernel to start reading {@code length} bytes of the file at {@code path} from
     * {@code offset} into the page cache, and returns once the reads are queued
     * (POSIX_FADV_WILLNEED on a descriptor of its own, closed again): a hint, false when the file
     * cannot be opened or the kernel refuses.
     */
    public boolean readAhead(String path, long offset, long length) {
        int fd;
        try {
            fd = open(path, O_RDONLY | O_CLOEXEC);
        } catch (NativeException e) {
            return false;
        }
        try {
            return (int) FileCalls.POSIX_FADVISE.invokeExact(fd, offset, length, POSIX_FADV_WILLNEED) == 0;
        } catch (Throwable e) {
            throw unexpected(e);
        } finally {
            try {
                close(fd);
            } catch (NativeException e) {
                // A read-only descriptor: nothing was written that a failed close could lose.
            }
        }
    }

    public void munmap(MemorySegment mapping) throws NativeException {
        int rc;
        try {
            rc = (int) Unmap.MUNMAP.invokeExact(callState, mapping, mapping.byteSize());
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("munmap");
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code events} on one descriptor. Returns the revents
     * (0 on timeout or EINTR).
     */
    public int poll(int fd, short events, int timeoutMillis) throws NativeException {
        MemorySegment pollfd = scratch.asSlice(0, PollFd.SIZE);
        pollfd.set(JAVA_INT, PollFd.FD_OFFSET, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, PollFd.EVENTS_OFFSET, events);
        pollfd.set(ValueLayout.JAVA_SHORT, PollFd.REVENTS_OFFSET, (short) 0);
        return poll(pollfd, 1, timeoutMillis) == 0 ? 0 : pollfd.get(ValueLayout.JAVA_SHORT, PollFd.REVENTS_OFFSET) & 0xFFFF;
    }

    /**
     * poll(2) on {@code count} {@code struct pollfd} ({@link PollFd}) at {@code pollfds}, their
     * revents filled in. Returns the number ready (0 on timeout or EINTR).
     */
    public int poll(MemorySegment pollfds, int count, int timeoutMillis) throws NativeException {
        int rc;
        try {
            rc = (int) Sockets.POLL.invokeExact(callState, pollfds, (long) count, timeoutMillis);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc < 0) {
            if (errno() == EINTR) {
                return 0;
            }
            throw failure("poll");
        }
        return rc;
    }

    public void close(int fd) throws NativeException {
        int rc;
        try {
            rc = (int) Close.CLOSE.invokeExact(callState, fd);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("close");
        }
    }

    public int open(String path, int flags) throws NativeException {
        return open(path, flags, 0);
    }

    /**
     * open(2) with {@code flags} and, for {@code O_CREAT}, {@code mode} (the umask applies, as
     * always: {@link #fchmod} afterwards gives the exact mode).
     */
    public int open(String path, int flags, int mode) throws NativeException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) Open.OPEN.invokeExact(callState, arena.allocateFrom(path), flags, mode);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (fd < 0) {
            throw failure("open " + path);
        }
        return fd;
    }

    /** fstat(2) of an open descriptor (through statx, whose layout is the same on every architecture). */
    public Statx.FileStatus fstat(int fd) throws NativeException {
        return statx(fd, "", AT_EMPTY_PATH, "fstat");
    }

    /** stat(2) of a path, following symbolic links. */
    public Statx.FileStatus stat(String path) throws NativeException {
        return statx(AT_FDCWD, path, 0, "stat " + path);
    }

    private Statx.FileStatus statx(int dirFd, String path, int flags, String what) throws NativeException {
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Statx.LAYOUT);
            rc = (int) FileCalls.STATX.invokeExact(callState, dirFd, arena.allocateFrom(path), flags,
                    Statx.BASIC_STATS, buffer);
            if (rc == 0) {
                return Statx.read(buffer);
            }
        } catch (Throwable e) {
            throw unexpected(e);
        }
        throw failure(what);
    }

    /** fchmod(2): sets the permission bits of an open file (never by path, which may have changed). */
    public void fchmod(int fd, int mode) throws NativeException {
        int rc;
        try {
            rc = (int) FileCalls.FCHMOD.invokeExact(callState, fd, mode);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("fchmod");
        }
    }

    /** The effective user id of the process (the owner of the files it creates). */
    public static int geteuid() {
        try {
            return (int) FileCalls.GETEUID.invokeExact();
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** The effective group id of the process (the group of the files it creates). */
    public static int getegid() {
        try {
            return (int) FileCalls.GETEGID.invokeExact();
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** The interface index, or 0 if there is no such interface. */
    public int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Sockets.IF_NAMETOINDEX.invokeExact(callState, arena.allocateFrom(name));
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** Pins the calling thread (tid 0 = caller) to exactly {@code cpu}. */
    public void pinCurrentThread(int cpu) throws NativeException {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new NativeException("sched_setaffinity", EINVAL, "CPU " + cpu + " is out of range");
        }
        MemorySegment set = scratch.asSlice(0, CPU_SET_BYTES);
        set.fill((byte) 0);
        set.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
        int rc;
        try {
            rc = (int) Scheduling.SCHED_SETAFFINITY.invokeExact(callState, 0, (long) CPU_SET_BYTES, set);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("sched_setaffinity");
        }
    }

    /** The CPUs the calling thread may run on, in increasing order. */
    public int[] allowedCpus() throws NativeException {
        MemorySegment set = scratch.asSlice(0, CPU_SET_BYTES);
        set.fill((byte) 0);
        int rc;
        try {
            rc = (int) Scheduling.SCHED_GETAFFINITY.invokeExact(callState, 0, (long) CPU_SET_BYTES, set);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc < 0) {
            throw failure("sched_getaffinity");
        }
        int count = 0;
        for (int i = 0; i < MAX_CPUS; i++) {
            if ((set.get(JAVA_LONG, (i / 64) * 8L) & (1L << (i % 64))) != 0) {
                count++;
            }
        }
        int[] cpus = new int[count];
        int n = 0;
        for (int i = 0; i < MAX_CPUS; i++) {
            if ((set.get(JAVA_LONG, (i / 64) * 8L) & (1L << (i % 64))) != 0) {
                cpus[n++] = i;
            }
        }
        return cpus;
    }

    /** The kernel thread id of the calling thread. */
    public int gettid() {
        try {
            return (int) (long) Scheduling.SYSCALL1.invokeExact(callState, SYS_GETTID);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** setpriority(PRIO_PROCESS, tid, nice): on Linux this sets one thread's nice value. */
    public void setThreadNice(int tid, int nice) throws NativeException {
        int rc;
        try {
            rc = (int) Scheduling.SETPRIORITY.invokeExact(callState, PRIO_PROCESS, tid, nice);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("setpriority");
        }
    }

    /** SCHED_FIFO at {@code priority} for the calling thread. */
    public void setCurrentThreadFifo(int priority) throws NativeException {
        MemorySegment param = scratch.asSlice(0, 4); // struct sched_param { int sched_priority; }
        param.set(JAVA_INT, 0, priority);
        int rc;
        try {
            rc = (int) Locking.SCHED_SETSCHEDULER.invokeExact(callState, 0, SCHED_FIFO, param);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("sched_setscheduler");
        }
    }

    /** mlock2 flag: lock each page when it is first faulted in, not now (Linux 4.4 and later). */
    public static final int MLOCK_ONFAULT = 1;

    /**
     * Locks {@code memory} page by page as it is faulted in (mlock2 MLOCK_ONFAULT): the permission
     * (CAP_IPC_LOCK or RLIMIT_MEMLOCK) is checked now, on this thread, and costs no page faults.
     */
    public void mlockOnFault(MemorySegment memory) throws NativeException {
        int rc;
        try {
            rc = (int) Locking.MLOCK2.invokeExact(callState, memory, memory.byteSize(), MLOCK_ONFAULT);
        } catch (Throwable e) {
            throw unexpected(e);
        }
        if (rc != 0) {
            throw failure("mlock");
        }
    }
}
