package gulp.capture;

import gulp.format.LinkType;
import gulp.format.NflogHeader;
import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.format.PcapngBlock;
import gulp.stats.Counter;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static gulp.format.Endian.INT_LE;

/**
 * Reads capture files (classic pcap in either byte order, micro- or nanosecond, and pcapng with
 * several sections and interfaces) from stdin or named files, one after another, and hands every
 * packet to the handler. It waits for room in the ring, so nothing is lost. It reads what libpcap
 * reads, the way libpcap reads it: the link type is the field's low 26 bits and the upper bits are
 * kept for the output; records whose captured length exceeds the original length, or the file's
 * snap length, are kept (and the first kind counted); old versions' swapped record lengths and
 * Kuznetzov's record headers are understood; pcapng blocks up to 16 MiB are read.
 */
public final class CaptureFileSource implements Source {
    private final List<String> names;
    private final InputBuffer in = new InputBuffer();

    private ReadableByteChannel channel;
    private String currentName;
    private int fileIndex;
    /** Records of the current input handed over so far (for messages). */
    long packetsInFile;

    private boolean pcapng;
    private final PcapngReader pcapngReader = new PcapngReader(in, this);
    // Classic pcap state.
    private boolean nanosecondFile;
    private int recordHeaderLength = PcapRecordHeader.LENGTH;
    private boolean lengthsSwapped;
    private boolean lengthsMaybeSwapped;
    private int headerSnaplen;
    /** The first input's link-type field (upper bits included); -1 before it is read. */
    int linkTypeField = -1;
    /** The current input's (classic pcap: its header's; pcapng: its first interface's). */
    private int fileLinkTypeField;
    private byte[] savefileHeader;
    private String format;
    /** Records whose captured length exceeds their original length (libpcap reads them too). */
    private final Counter capturedOverOriginal = new Counter();
    /** Why the output takes one link type only (said when an input has another), or null: several are fine. */
    private final String oneLinkTypeReason;
    /** The output interface of the current classic pcap input, -1 before its first packet. */
    private int pcapFileInterface = -1;
    /** The output interface selected last ({@link PacketHandler#selectInterface}), -1: none yet. */
    private int selectedInterface = -1;

    private CaptureFileSource(List<String> names, String oneLinkTypeReason) {
        this.names = names;
        this.oneLinkTypeReason = oneLinkTypeReason;
    }

    /**
     * Opens the first input and reads its header, so the link type is known before the output is
     * created. {@code "-"} means standard input. Inputs of one link type only.
     */
    public static CaptureFileSource open(List<String> names) throws InputException, IOException {
        return open(names, "one pcap output holds one link type");
    }

    /**
     * As {@link #open(List)}; {@code oneLinkTypeReason} null lets the inputs (files, pcapng
     * interfaces) have different link types (pcapng output: each is its own interface), else it
     * says why they may not.
     */
    public static CaptureFileSource open(List<String> names, String oneLinkTypeReason) throws InputException, IOException {
        CaptureFileSource source = new CaptureFileSource(List.copyOf(names), oneLinkTypeReason);
        source.openNext();
        return source;
    }

    /** An input whose link type differs from the first: fine, or refused in one line saying why. */
    void checkMixedLinkType(String what) throws InputException {
        if (oneLinkTypeReason != null) {
            throw new InputException(label() + what + "; " + oneLinkTypeReason);
        }
    }

    /** The current input's name for interface descriptions ("stdin" for {@code -}). */
    String inputName() {
        return currentName.equals("-") ? "stdin" : currentName;
    }

    /** Packets from now on come from output interface {@code id}. */
    void select(PacketHandler handler, int id) {
        if (id != selectedInterface) {
            handler.selectInterface(id);
            selectedInterface = id;
        }
    }

    @Override
    public String describe() {
        String what = names.size() == 1 ? (names.get(0).equals("-") ? "stdin" : names.get(0)) : names.size() + " files";
        return what + " (" + format + ")";
    }

    @Override
    public int linkType() {
        return LinkType.of(linkTypeField);
    }

    @Override
    public int linkTypeField() {
        return linkTypeField;
    }

    /**
     * A classic pcap file header as the first input would give libpcap (its byte order, link-type
     * field and snap length), so {@code -f} is compiled as {@code tcpdump -r FILE EXPR} compiles it.
     */
    @Override
    public byte[] savefileHeader() {
        return savefileHeader.clone();
    }

    /** The end-of-run lines about the input: records read although damaged, as libpcap reads them. */
    @Override
    public void appendSummary(StringBuilder report) {
        long over = capturedOverOriginal.get();
        if (over > 0) {
            report.append(over).append(" records with a captured length above the original length"
                    + " (kept; the original length is written as the captured length)\n");
        }
    }

    @Override
    public boolean waitsWhenFull() {
        return true;
    }

    @Override
    public void run(PacketHandler handler) throws InputException, IOException {
        in.publishTo(handler);
        while (true) {
            boolean more = pcapng ? pcapngReader.readBlocks(handler) : readPcapRecords(handler);
            handler.onBatchEnd();
            if (!more) {
                return;
            }
            if (in.position == in.limit && in.endOfInput) {
                if (fileIndex >= names.size()) {
                    return;
                }
                closeChannel();
                openNext();
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }

    private void closeChannel() throws IOException {
        if (channel != null && !currentName.equals("-")) {
            channel.close();
        }
        channel = null;
    }

    private void openNext() throws InputException, IOException {
        currentName = names.get(fileIndex++);
        channel = openChannel(currentName);
        in.reset(channel);
        packetsInFile = 0;
        pcapFileInterface = -1;
        in.fill(4);
        if (in.limit == 0) {
            throw new InputException(label() + "empty input: no capture file header");
        }
        if (in.limit < 4) {
            throw new InputException(label() + "input truncated in the file header (" + in.limit + " bytes)");
        }
        int magicLe = in.segment.get(INT_LE, in.position);
        int fileLinkType;
        int fileSnaplen;
        if (magicLe == PcapngBlock.TYPE_SECTION_HEADER) {
            pcapng = true;
            format = "pcapng";
            fileLinkType = pcapngReader.readPreamble();
            fileSnaplen = pcapngReader.firstSnaplen();
        } else {
            pcapng = false;
            fileLinkType = readPcapHeader(magicLe);
            fileSnaplen = headerSnaplen;
        }
        if (linkTypeField == -1) {
            linkTypeField = fileLinkType;
            savefileHeader = PcapFileHeader.encode(in.order(), false, fileSnaplen, fileLinkType);
        } else if (fileLinkType != linkTypeField) {
            checkMixedLinkType("link type " + LinkType.describe(fileLinkType) + " differs from the first input's "
                    + LinkType.describe(linkTypeField));
        }
        fileLinkTypeField = fileLinkType;
    }

    private static ReadableByteChannel openChannel(String name) throws InputException, IOException {
        if (name.equals("-")) {
            return new FileInputStream(FileDescriptor.in).getChannel();
        }
        try {
            return FileChannel.open(Path.of(name));
        } catch (NoSuchFileException e) {
            throw new InputException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new InputException(name + ": permission denied");
        } catch (IOException e) {
            throw new InputException(name + ": " + e.getMessage());
        }
    }

    String label() {
        return currentName.equals("-") ? "stdin: " : currentName + ": ";
    }

    // ---------------------------------------------------------------- classic pcap

    /** Reads the 24-byte header; returns the link-type field as it is (upper bits included). */
    private int readPcapHeader(int magicLe) throws InputException, IOException {
        ByteOrder order = PcapFileHeader.byteOrder(magicLe);
        if (order == null) {
            throw new InputException(label() + String.format(
                    "unknown file format (magic 0x%08x): not pcap or pcapng", Integer.reverseBytes(magicLe)));
        }
        in.order(order);
        nanosecondFile = PcapFileHeader.nanosecond(magicLe);
        recordHeaderLength = PcapFileHeader.recordHeaderLength(magicLe);
        boolean kuznetzov = recordHeaderLength != PcapRecordHeader.LENGTH;
        if (!in.fill(PcapFileHeader.LENGTH)) {
            throw new InputException(label() + "input truncated in the file header (" + (in.limit - in.position) + " of "
                    + PcapFileHeader.LENGTH + " bytes)");
        }
        int major = in.shortAt(in.position + PcapFileHeader.VERSION_MAJOR_OFFSET);
        int minor = in.shortAt(in.position + PcapFileHeader.VERSION_MINOR_OFFSET);
        lengthsSwapped = PcapFileHeader.lengthsSwapped(major, minor);
        lengthsMaybeSwapped = PcapFileHeader.lengthsMaybeSwapped(major, minor);
        int fileLinkType = in.intAt(in.position + PcapFileHeader.LINKTYPE_OFFSET);
        headerSnaplen = in.intAt(in.position + PcapFileHeader.SNAPLEN_OFFSET);
        in.position += PcapFileHeader.LENGTH;
        format = "pcap, " + (nanosecondFile ? "nanoseconds" : "microseconds") + (in.bigEndian ? ", big-endian" : "")
                + (kuznetzov ? ", Kuznetzov records" : "") + (major != 2 || minor != 4 ? ", version " + major + "." + minor : "");
        return fileLinkType;
    }

    /** Returns true while there is more to read in this or a later file. */
    private boolean readPcapRecords(PacketHandler handler) throws InputException, IOException {
        int batch = 0;
        while (batch < 4096) {
            if (!in.fill(recordHeaderLength)) {
                return atCleanEnd("in a record header");
            }
            int caplen = in.intAt(in.position + PcapRecordHeader.CAPLEN_OFFSET);
            int wirelen = in.intAt(in.position + PcapRecordHeader.WIRELEN_OFFSET);
            if (lengthsSwapped || (lengthsMaybeSwapped && Integer.compareUnsigned(caplen, wirelen) > 0)) {
                int swap = caplen;
                caplen = wirelen;
                wirelen = swap;
            }
            checkLengths(caplen, wirelen);
            if (!in.fill(recordHeaderLength + caplen)) {
                return atCleanEnd("in a record");
            }
            long nanos = PcapRecordHeader.timestampNanos(in.intAt(in.position + PcapRecordHeader.TS_SECONDS_OFFSET),
                    in.intAt(in.position + PcapRecordHeader.TS_FRACTION_OFFSET), nanosecondFile);
            toHostOrder(in.position + recordHeaderLength, caplen, wirelen, fileLinkTypeField);
            if (pcapFileInterface < 0) { // the file's first packet: it becomes an output interface
                pcapFileInterface = handler.declareInterface(new gulp.format.CaptureInterface(inputName(),
                        "read from " + inputName(), fileLinkTypeField, headerSnaplen, null));
            }
            select(handler, pcapFileInterface);
            handler.onPacket(in.segment, in.position + recordHeaderLength, caplen, wirelen, nanos, PacketHandler.NO_VLAN_TAG);
            in.position += recordHeaderLength + caplen;
            packetsInFile++;
            batch++;
        }
        return !handler.stopRequested();
    }

    /**
     * A captured length beyond {@link PcapRecordHeader#MAX_CAPLEN} ends the input (libpcap stops at
     * {@link PcapFileHeader#DEFAULT_SNAPLEN} for most link types); one beyond the original length
     * is read, as libpcap and Wireshark read it, and counted.
     */
    void checkLengths(int caplen, int wirelen) throws InputException {
        if (caplen < 0 || caplen > PcapRecordHeader.MAX_CAPLEN) {
            throw new InputException(label() + "record " + (packetsInFile + 1) + ": captured length "
                    + Integer.toUnsignedString(caplen) + " exceeds the limit of " + PcapRecordHeader.MAX_CAPLEN + " bytes (corrupt input?)");
        }
        if (Integer.compareUnsigned(caplen, wirelen) > 0) {
            capturedOverOriginal.increment();
        }
    }

    /**
     * Pseudo-header fields in the writer's byte order, swapped in place for big-endian input (the
     * output is little-endian), as libpcap swaps them when it reads a file: NFLOG's TLV headers.
     */
    void toHostOrder(long offset, int caplen, int wirelen, int packetLinkType) {
        if (in.bigEndian && LinkType.of(packetLinkType) == LinkType.NFLOG) {
            NflogHeader.swapTlvs(in.segment, offset, caplen, wirelen);
        }
    }

    /** Whether more inputs follow the current one. */
    boolean moreFiles() {
        return fileIndex < names.size();
    }

    /**
     * At the end of the buffered input: a clean end if nothing is left over, otherwise the input
     * stopped inside a record. Returns false (no more) or throws.
     */
    private boolean atCleanEnd(String where) throws InputException {
        if (in.position == in.limit) {
            return moreFiles();
        }
        throw new InputException(label() + "input truncated after " + packetsInFile + " records ("
                + (in.limit - in.position) + " bytes left " + where + ")");
    }
}
