package gulp.filter;

import gulp.format.LinkType;
import gulp.format.PcapFileHeader;
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


    static final String NOT_INSTALLED = "libpcap is not installed; it is needed for -f. Install it: "
            + "apt-get install libpcap0.8 (Debian/Ubuntu) or dnf install libpcap (Fedora/RHEL)";

    private static LibPcap libpcap;

    /** {@code compile(expression, LinkType.ETHERNET, PcapFileHeader.DEFAULT_SNAPLEN)}. */
    public static BpfProgram compile(String expression) throws FilterException {
        return compile(expression, LinkType.ETHERNET, PcapFileHeader.DEFAULT_SNAPLEN);
    }

    /** The program libpcap (optimiser on, netmask unknown) produces for {@code expression}, as {@code tcpdump -dd} shows it. */
    public static synchronized BpfProgram compile(String expression, int linkType, int snaplen) throws FilterException {
        return compileWith(libpcap(), expression, linkType, snaplen);
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
        byte[] header = fileHeader.clone();
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (PcapFileHeader.byteOrder(b.getInt(PcapFileHeader.MAGIC_OFFSET)) == ByteOrder.BIG_ENDIAN) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        b.putInt(PcapFileHeader.SNAPLEN_OFFSET, snaplen);
        return toProgram(expression, libpcap().compileForSavefile(expression, header));
    }

    /**
     * The program tcpdump -i {@code interfaceName} would attach for {@code expression}: compiled on
     * a live-activated libpcap handle, so that {@code vlan} tests the tag the kernel removed from
     * the frame (ancillary loads, run only by the kernel). Null when libpcap cannot activate the
     * interface; {@code reason[0]} then says why.
     */
    public static synchronized BpfProgram compileForInterface(String expression, String interfaceName, int snaplen,
                                                              String[] reason) throws FilterException {
        return compileForInterface(expression, interfaceName, snaplen, 0, reason);
    }

    /** As above, on a handle switched to {@code linkType} (0: libpcap's default; LINUX_SLL2 for {@code any}). */
    public static synchronized BpfProgram compileForInterface(String expression, String interfaceName, int snaplen,
                                                              int linkType, String[] reason) throws FilterException {
        LibPcap.Compiled compiled = libpcap().compileLive(expression, interfaceName, snaplen, linkType);
        if (compiled.activationFailed()) {
            reason[0] = compiled.error();
            return null;
        }
        return toProgram(expression, compiled);
    }

    /** The version string of the libpcap that compiles filters (loads it). */
    public static synchronized String libpcapVersion() throws FilterException {
        return libpcap().version();
    }

    /** The libpcap of this process, loaded on first use (callers hold the class lock). */
    private static LibPcap libpcap() throws FilterException {
        if (libpcap == null) {
            libpcap = load(LibPcap.DEFAULT_LIBRARY_NAMES);
        }
        return libpcap;
    }

    static LibPcap load(List<String> libraryNames) throws FilterException {
        Optional<LibPcap> loaded = LibPcap.load(libraryNames);
        if (loaded.isEmpty()) throw FilterException.libpcapMissing(NOT_INSTALLED);
        return loaded.get();
    }

    static BpfProgram compileWith(LibPcap pcap, String expression, int linkType, int snaplen) throws FilterException {
        return toProgram(expression, pcap.compile(expression, linkType, snaplen));
    }

    private static BpfProgram toProgram(String expression, LibPcap.Compiled compiled) throws FilterException {
        if (!compiled.ok()) throw new FilterException("bad filter '" + expression + "': " + compiled.error());
        BpfProgram program = BpfProgram.of(compiled.code(), compiled.jt(), compiled.jf(), compiled.k());
        program.validate();
        return program;
    }
}
