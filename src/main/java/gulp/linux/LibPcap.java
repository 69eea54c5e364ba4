package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libpcap functions Gulp needs to compile filter expressions (pcap_open_dead,
 * pcap_create + pcap_set_snaplen + pcap_activate for live interfaces, pcap_fopen_offline for
 * capture files, pcap_compile, pcap_geterr, pcap_freecode, pcap_close; libc's fmemopen and
 * fclose). Loaded only when asked for, so Gulp runs without libpcap when no filter is used. Not
 * thread safe: old libpcaps share parser state across handles, so callers serialise the compile
 * calls.
 */
public final class LibPcap {
    /** Sonames tried in order: Debian/Ubuntu, Fedora/RHEL, then the development symlink. */
    public static final List<String> DEFAULT_LIBRARY_NAMES = List.of("libpcap.so.0.8", "libpcap.so.1", "libpcap.so");
    public static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;
    public static final int PCAP_ERRBUF_SIZE = 256;

    private final String libraryName;
    private final MethodHandle openDead;
    private final MethodHandle compile;
    private final MethodHandle geterr;
    private final MethodHandle freecode;
    private final MethodHandle close;
    private final MethodHandle libVersion;
    private final MethodHandle fopenOffline;
    private final MethodHandle fmemopen;
    private final MethodHandle fclose;
    private final MethodHandle create;
    private final MethodHandle setSnaplen;
    private final MethodHandle activate;
    private final MethodHandle setDatalink;
    private final MethodHandle statusToString;

    private LibPcap(String libraryName, SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        this.libraryName = libraryName;
        this.openDead = linker.downcallHandle(find(lookup, "pcap_open_dead"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
        this.compile = linker.downcallHandle(find(lookup, "pcap_compile"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        this.geterr = linker.downcallHandle(find(lookup, "pcap_geterr"),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        this.freecode = linker.downcallHandle(find(lookup, "pcap_freecode"),
                FunctionDescriptor.ofVoid(ADDRESS));
        this.close = linker.downcallHandle(find(lookup, "pcap_close"),
                FunctionDescriptor.ofVoid(ADDRESS));
        this.libVersion = linker.downcallHandle(find(lookup, "pcap_lib_version"),
                FunctionDescriptor.of(ADDRESS));
        this.fopenOffline = linker.downcallHandle(find(lookup, "pcap_fopen_offline"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        SymbolLookup libc = linker.defaultLookup();
        this.fmemopen = linker.downcallHandle(find(libc, "fmemopen"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        this.fclose = linker.downcallHandle(find(libc, "fclose"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.create = linker.downcallHandle(find(lookup, "pcap_create"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        this.setSnaplen = linker.downcallHandle(find(lookup, "pcap_set_snaplen"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        this.activate = linker.downcallHandle(find(lookup, "pcap_activate"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.setDatalink = linker.downcallHandle(find(lookup, "pcap_set_datalink"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        this.statusToString = linker.downcallHandle(find(lookup, "pcap_statustostr"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalArgumentException("symbol " + name + " missing"));
    }

    /** The first of {@code names} that loads and has every symbol, or empty. */
    public static Optional<LibPcap> load(List<String> names) {
        for (String name : names) {
            try {
                return Optional.of(new LibPcap(name, SymbolLookup.libraryLookup(name, Arena.global())));
            } catch (IllegalArgumentException | IllegalCallerException notUsable) {
                // try the next soname
            }
        }
        return Optional.empty();
    }

    public String libraryName() { return libraryName; }

    /** pcap_lib_version(), e.g. "libpcap version 1.10.3 (with TPACKET_V3)". */
    public String version() {
        try {
            return ((MemorySegment) libVersion.invokeExact()).reinterpret(PCAP_ERRBUF_SIZE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("pcap_lib_version failed", t);
        }
    }

    /** Result of {@link #compile}: the instructions as raw (code, jt, jf, k) columns, or libpcap's error. */
    public record Compiled(int[] code, int[] jt, int[] jf, int[] k, String error, boolean activationFailed) {
        public Compiled(int[] code, int[] jt, int[] jf, int[] k, String error) {
            this(code, jt, jf, k, error, false);
        }

        static Compiled notActivated(String error) {
            return new Compiled(null, null, null, null, error, true);
        }

        public boolean ok() { return error == null; }
    }

    /**
     * pcap_open_dead(linkType, snaplen) + pcap_compile(optimize=1, PCAP_NETMASK_UNKNOWN), copies
     * bf_insns out, then pcap_freecode and pcap_close: the program for a live capture on this
     * system, as {@code tcpdump -dd} prints it. {@code linkType} is a DLT_ value. Serialise calls
     * (see class comment).
     */
    public Compiled compile(String expression, int linkType, int snaplen) {
        return calling(() -> {
            MemorySegment pcap = (MemorySegment) openDead.invokeExact(linkType, snaplen);
            if (pcap.address() == 0) {
                return failed("pcap_open_dead(" + linkType + ", " + snaplen + ") failed");
            }
            return compileAndClose(pcap, expression);
        });
    }

    /**
     * The program {@code tcpdump -r FILE EXPR} runs on a capture file that starts with
     * {@code fileHeader} (a classic pcap file header, 24 bytes): libpcap reads the header from
     * memory (fmemopen + pcap_fopen_offline), so it maps the LINKTYPE_ value to its DLT_, keeps the
     * file's byte order and knows it compiles for a savefile (for BSD loopback it then checks every
     * BSD AF_INET6 value, and swaps the address family of a file from the other byte order), then
     * pcap_compile as in {@link #compile}. Serialise calls (see class comment).
     */
    public Compiled compileForSavefile(String expression, byte[] fileHeader) {
        return calling(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bytes = arena.allocate(fileHeader.length);
                MemorySegment.copy(fileHeader, 0, bytes, JAVA_BYTE, 0, fileHeader.length);
                MemorySegment file = (MemorySegment) fmemopen.invokeExact(bytes, (long) fileHeader.length, arena.allocateFrom("r"));
                if (file.address() == 0) {
                    return failed("fmemopen failed");
                }
                MemorySegment errbuf = arena.allocate(PCAP_ERRBUF_SIZE);
                MemorySegment pcap = (MemorySegment) fopenOffline.invokeExact(file, errbuf);
                if (pcap.address() == 0) {
                    int ignored = (int) fclose.invokeExact(file);
                    return failed("libpcap cannot read the capture file header: " + errbuf.getString(0));
                }
                return compileAndClose(pcap, expression); // pcap_close also closes the FILE
            }
        });
    }

    /**
     * The program for a live capture on {@code interfaceName}, as tcpdump -i compiles it: a handle
     * made by pcap_create and pcap_activate (which opens a packet socket on the interface for the
     * moment of compilation), so libpcap generates what it does only for live Linux handles, such
     * as the kernel's ancillary loads of the VLAN tag that the kernel removed from the frame.
     * Then pcap_close. {@link Compiled#activationFailed()} when the handle cannot be activated.
     * Needs the privileges of a capture; serialise calls (see class comment).
     */
    public Compiled compileLive(String expression, String interfaceName, int snaplen) {
        return compileLive(expression, interfaceName, snaplen, 0);
    }

    /**
     * As {@link #compileLive(String, String, int)}, with the handle switched to {@code linkType}
     * after activation (pcap_set_datalink, as {@code tcpdump -y}: LINUX_SLL2 for {@code any}),
     * or left at libpcap's default when 0.
     */
    public Compiled compileLive(String expression, String interfaceName, int snaplen, int linkType) {
        return calling(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errbuf = arena.allocate(PCAP_ERRBUF_SIZE);
                MemorySegment pcap = (MemorySegment) create.invokeExact(arena.allocateFrom(interfaceName), errbuf);
                if (pcap.address() == 0) {
                    return Compiled.notActivated("pcap_create: " + errbuf.getString(0));
                }
                try {
                    int rc = (int) setSnaplen.invokeExact(pcap, snaplen);
                    if (rc == 0) {
                        rc = (int) activate.invokeExact(pcap);
                    }
                    if (rc >= 0 && linkType > 0) {
                        rc = (int) setDatalink.invokeExact(pcap, linkType);
                    }
                    if (rc < 0) {
                        MemorySegment status = (MemorySegment) statusToString.invokeExact(rc);
                        MemorySegment err = (MemorySegment) geterr.invokeExact(pcap);
                        String detail = err.reinterpret(PCAP_ERRBUF_SIZE).getString(0);
                        return Compiled.notActivated(detail.isEmpty() ? status.reinterpret(PCAP_ERRBUF_SIZE).getString(0) : detail);
                    }
                    return compileOn(pcap, expression);
                } finally {
                    close.invokeExact(pcap);
                }
            }
        });
    }

    /** A libpcap call sequence; its checked failures become an IllegalStateException. */
    private interface NativeCall {
        Compiled call() throws Throwable;
    }

    private static Compiled calling(NativeCall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libpcap call failed", t);
        }
    }

    private Compiled compileAndClose(MemorySegment pcap, String expression) throws Throwable {
        try {
            return compileOn(pcap, expression);
        } finally {
            close.invokeExact(pcap);
        }
    }

    private static Compiled failed(String error) {
        return new Compiled(null, null, null, null, error);
    }

    /** pcap_compile(optimize=1, PCAP_NETMASK_UNKNOWN) on an open handle, bf_insns copied out, pcap_freecode. */
    private Compiled compileOn(MemorySegment pcap, String expression) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = arena.allocate(BpfLayouts.BPF_PROGRAM);
            MemorySegment text = arena.allocateFrom(expression);
            int rc = (int) compile.invokeExact(pcap, program, text, 1, PCAP_NETMASK_UNKNOWN);
            if (rc != 0) {
                MemorySegment err = (MemorySegment) geterr.invokeExact(pcap);
                return failed(err.reinterpret(PCAP_ERRBUF_SIZE).getString(0));
            }
            try {
                return copyOut(program);
            } finally {
                freecode.invokeExact(program);
            }
        }
    }

    private static Compiled copyOut(MemorySegment program) {
        int n = program.get(JAVA_INT, BpfLayouts.BPF_PROGRAM_LEN_OFFSET);
        MemorySegment insns = program.get(ADDRESS, BpfLayouts.BPF_PROGRAM_INSNS_OFFSET)
                .reinterpret(n * BpfLayouts.INSN_SIZE);
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            long base = i * BpfLayouts.INSN_SIZE;
            code[i] = Short.toUnsignedInt(insns.get(JAVA_SHORT, base + BpfLayouts.INSN_CODE_OFFSET));
            jt[i] = Byte.toUnsignedInt(insns.get(JAVA_BYTE, base + BpfLayouts.INSN_JT_OFFSET));
            jf[i] = Byte.toUnsignedInt(insns.get(JAVA_BYTE, base + BpfLayouts.INSN_JF_OFFSET));
            k[i] = insns.get(JAVA_INT, base + BpfLayouts.INSN_K_OFFSET);
        }
        return new Compiled(code, jt, jf, k, null);
    }
}
