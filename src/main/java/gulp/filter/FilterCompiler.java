package gulp.filter;

import gulp.linux.LibPcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Compiles tcpdump filter expressions with libpcap (loaded on first use, so Gulp starts without
 * libpcap when no filter is given). Compilation is serialised: pcap_compile is not thread safe in
 * older libpcaps, and it runs only at start-up.
 */
public final class FilterCompiler {
    private FilterCompiler() {}

    public static final int LINKTYPE_ETHERNET = 1;
    public static final int DEFAULT_SNAPLEN = 262144;

    static final String NOT_INSTALLED = "libpcap is not installed; it is needed for -f. Install it: "
            + "apt-get install libpcap0.8 (Debian/Ubuntu) or dnf install libpcap (Fedora/RHEL)";

    private static LibPcap libpcap;

    /** {@code compile(expression, LINKTYPE_ETHERNET, DEFAULT_SNAPLEN)}. */
    public static BpfProgram compile(String expression) throws FilterException {
        return compile(expression, LINKTYPE_ETHERNET, DEFAULT_SNAPLEN);
    }

    /** The program libpcap (optimiser on, netmask unknown) produces for {@code expression}, as {@code tcpdump -dd} shows it. */
    public static synchronized BpfProgram compile(String expression, int linkType, int snaplen) throws FilterException {
        if (libpcap == null) libpcap = load(LibPcap.DEFAULT_LIBRARY_NAMES);
        return compileWith(libpcap, expression, linkType, snaplen);
    }

    /**
     * The program {@code tcpdump -r FILE EXPR} uses for a capture file whose classic pcap header
     * (or, for pcapng, the equivalent: byte order, link type, snap length) is {@code fileHeader}:
     * libpcap maps the file's LINKTYPE_ value to its DLT_ and generates savefile code (BSD
     * loopback, byte order), which a live compile for the same number would not. The program
     * returns {@code snaplen} for a match, as {@link #compile} does.
     */
    public static synchronized BpfProgram compileForSavefile(String expression, byte[] fileHeader, int snaplen)
            throws FilterException {
        if (libpcap == null) libpcap = load(LibPcap.DEFAULT_LIBRARY_NAMES);
        byte[] header = fileHeader.clone();
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != PCAP_MAGIC_MICROS && b.getInt(0) != PCAP_MAGIC_NANOS) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        b.putInt(PCAP_SNAPLEN_OFFSET, snaplen);
        return checked(expression, libpcap.compileForSavefile(expression, header));
    }

    private static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
    private static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    private static final int PCAP_SNAPLEN_OFFSET = 16;

    /** The version string of the libpcap that compiles filters (loads it). */
    public static synchronized String libpcapVersion() throws FilterException {
        if (libpcap == null) libpcap = load(LibPcap.DEFAULT_LIBRARY_NAMES);
        return libpcap.version();
    }

    static LibPcap load(List<String> libraryNames) throws FilterException {
        Optional<LibPcap> loaded = LibPcap.load(libraryNames);
        if (loaded.isEmpty()) throw FilterException.libpcapMissing(NOT_INSTALLED);
        return loaded.get();
    }

    static BpfProgram compileWith(LibPcap pcap, String expression, int linkType, int snaplen) throws FilterException {
        return checked(expression, pcap.compile(expression, linkType, snaplen));
    }

    private static BpfProgram checked(String expression, LibPcap.Compiled compiled) throws FilterException {
        if (!compiled.ok()) throw new FilterException("bad filter '" + expression + "': " + compiled.error());
        BpfProgram program = BpfProgram.of(compiled.code(), compiled.jt(), compiled.jf(), compiled.k());
        program.validate();
        return program;
    }
}
