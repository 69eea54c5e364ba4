package gulp.capture;

import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordHeader;
import gulp.format.PcapngBlock;
import gulp.stats.Counter;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.INT_LE;
import static gulp.format.Endian.SHORT_BE;
import static gulp.format.Endian.SHORT_LE;

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
    /** No real packet is larger; a bigger length means a corrupt file. */
    public static final int MAX_CAPLEN = 1 << 20;
    private static final int INITIAL_BUFFER_SIZE = 4 * (MAX_CAPLEN + 4096);
    /** The buffer grows for a large pcapng block, up to this. */
    private static final int MAX_BUFFER_SIZE = PcapngBlock.MAX_BLOCK_LENGTH + (1 << 20);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final List<String> names;
    private MemorySegment buffer;
    private ByteBuffer bufferView;
    private int position;
    private int limit;
    private boolean endOfInput;
    private long consumedBeforeBuffer;
    /** Told before every read that may block, so what was read so far reaches the output. */
    private PacketHandler publisher;

    private ReadableByteChannel channel;
    private String currentName;
    private int fileIndex;
    private long packetsInFile;

    // Classic pcap state.
    private boolean pcapng;
    private boolean bigEndian;
    private boolean nanosecondFile;
    private int recordHeaderLength = PcapRecordHeader.LENGTH;
    private boolean lengthsSwapped;
    private boolean lengthsMaybeSwapped;
    private int headerSnaplen;
    // pcapng state: the interfaces of the current section, and an IDB's time options as parsed.
    private final PcapngInterfaces interfaces = new PcapngInterfaces();
    private int optionTsresol;
    private long optionTsoffset;
    /** The first input's link-type field (upper bits included); -1 before it is read. */
    private int linkTypeField = -1;
    private byte[] savefileHeader;
    private String format;
    /** Records whose captured length exceeds their original length (libpcap reads them too). */
    private final Counter capturedOverOriginal = new Counter();

    private CaptureFileSource(List<String> names) {
        this.names = names;
        allocateBuffer(INITIAL_BUFFER_SIZE);
    }

    private void allocateBuffer(int size) {
        buffer = Arena.ofAuto().allocate(size, 4096);
        bufferView = buffer.asByteBuffer();
    }

    /**
     * Opens the first input and reads its header, so the link type is known before the output is
     * created. {@code "-"} means standard input.
     */
    public static CaptureFileSource open(List<String> names) throws InputException, IOException {
        CaptureFileSource source = new CaptureFileSource(List.copyOf(names));
        source.openNext();
        return source;
    }

    @Override
    public String describe() {
        String what = names.size() == 1 ? (names.get(0).equals("-") ? "stdin" : names.get(0)) : names.size() + " files";
        return what + " (" + format + ")";
    }

    @Override
    public int linkType() {
        return PcapFileHeader.linkType(linkTypeField);
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
        publisher = handler;
        while (true) {
            boolean more = pcapng ? readPcapngBlocks(handler) : readPcapRecords(handler);
            handler.onBatchEnd();
            if (!more) {
                return;
            }
            if (position == limit && endOfInput) {
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
        position = 0;
        limit = 0;
        endOfInput = false;
        consumedBeforeBuffer = 0;
        packetsInFile = 0;
        fill(4);
        if (limit == 0) {
            throw new InputException(label() + "empty input: no capture file header");
        }
        if (limit < 4) {
            throw new InputException(label() + "input truncated in the file header (" + limit + " bytes)");
        }
        int magicLe = buffer.get(INT_LE, position);
        int fileLinkType;
        int fileSnaplen;
        if (magicLe == PcapngBlock.TYPE_SECTION_HEADER) {
            pcapng = true;
            fileLinkType = readPcapngPreamble();
            fileSnaplen = interfaces.firstSnaplen();
        } else {
            pcapng = false;
            fileLinkType = readPcapHeader(magicLe);
            fileSnaplen = headerSnaplen;
        }
        if (linkTypeField == -1) {
            linkTypeField = fileLinkType;
            savefileHeader = classicHeader(bigEndian, fileSnaplen, fileLinkType);
        } else if (fileLinkType != linkTypeField) {
            throw new InputException(label() + "link type " + describeLinkType(fileLinkType) + " differs from the first input's "
                    + describeLinkType(linkTypeField) + "; one pcap output holds one link type");
        }
    }

    /** The link-type field as a number, with the field in hex when its upper bits are set. */
    static String describeLinkType(int field) {
        int value = PcapFileHeader.linkType(field);
        return value == field ? Integer.toString(value) : String.format("%d (field 0x%08x)", value, field);
    }

    private static byte[] classicHeader(boolean bigEndian, int snaplen, int linkTypeField) {
        MemorySegment header = MemorySegment.ofArray(new byte[PcapFileHeader.LENGTH]);
        var intLayout = bigEndian ? INT_BE : INT_LE;
        var shortLayout = bigEndian ? SHORT_BE : SHORT_LE;
        header.set(intLayout, PcapFileHeader.MAGIC_OFFSET, PcapFileHeader.MAGIC_MICROS);
        header.set(shortLayout, PcapFileHeader.VERSION_MAJOR_OFFSET, PcapFileHeader.VERSION_MAJOR);
        header.set(shortLayout, PcapFileHeader.VERSION_MINOR_OFFSET, PcapFileHeader.VERSION_MINOR);
        header.set(intLayout, PcapFileHeader.SNAPLEN_OFFSET, snaplen);
        header.set(intLayout, PcapFileHeader.LINKTYPE_OFFSET, linkTypeField);
        return header.toArray(ValueLayout.JAVA_BYTE);
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

    private String label() {
        return currentName.equals("-") ? "stdin: " : currentName + ": ";
    }

    // ---------------------------------------------------------------- classic pcap

    /** Reads the 24-byte header; returns the link-type field as it is (upper bits included). */
    private int readPcapHeader(int magicLe) throws InputException, IOException {
        boolean kuznetzov = false;
        switch (magicLe) {
            case PcapFileHeader.MAGIC_MICROS -> { bigEndian = false; nanosecondFile = false; }
            case PcapFileHeader.MAGIC_NANOS -> { bigEndian = false; nanosecondFile = true; }
            case PcapFileHeader.MAGIC_MICROS_SWAPPED -> { bigEndian = true; nanosecondFile = false; }
            case PcapFileHeader.MAGIC_NANOS_SWAPPED -> { bigEndian = true; nanosecondFile = true; }
            case PcapFileHeader.MAGIC_KUZNETZOV -> { bigEndian = false; nanosecondFile = false; kuznetzov = true; }
            case PcapFileHeader.MAGIC_KUZNETZOV_SWAPPED -> { bigEndian = true; nanosecondFile = false; kuznetzov = true; }
            default -> throw new InputException(label() + String.format(
                    "unknown file format (magic 0x%08x): not pcap or pcapng", Integer.reverseBytes(magicLe)));
        }
        if (!fill(PcapFileHeader.LENGTH)) {
            throw new InputException(label() + "input truncated in the file header (" + (limit - position) + " of "
                    + PcapFileHeader.LENGTH + " bytes)");
        }
        int major = shortAt(position + PcapFileHeader.VERSION_MAJOR_OFFSET);
        int minor = shortAt(position + PcapFileHeader.VERSION_MINOR_OFFSET);
        lengthsSwapped = PcapFileHeader.lengthsSwapped(major, minor);
        lengthsMaybeSwapped = PcapFileHeader.lengthsMaybeSwapped(major, minor);
        recordHeaderLength = kuznetzov ? PcapRecordHeader.KUZNETZOV_LENGTH : PcapRecordHeader.LENGTH;
        int fileLinkType = intAt(position + PcapFileHeader.LINKTYPE_OFFSET);
        headerSnaplen = intAt(position + PcapFileHeader.SNAPLEN_OFFSET);
        position += PcapFileHeader.LENGTH;
        format = "pcap, " + (nanosecondFile ? "nanoseconds" : "microseconds") + (bigEndian ? ", big-endian" : "")
                + (kuznetzov ? ", Kuznetzov records" : "") + (major != 2 || minor != 4 ? ", version " + major + "." + minor : "");
        return fileLinkType;
    }

    /** Returns true while there is more to read in this or a later file. */
    private boolean readPcapRecords(PacketHandler handler) throws InputException, IOException {
        int batch = 0;
        while (batch < 4096) {
            if (!fill(recordHeaderLength)) {
                return atCleanEnd("in a record header");
            }
            int caplen = intAt(position + PcapRecordHeader.CAPLEN_OFFSET);
            int wirelen = intAt(position + PcapRecordHeader.WIRELEN_OFFSET);
            if (lengthsSwapped || (lengthsMaybeSwapped && Integer.compareUnsigned(caplen, wirelen) > 0)) {
                int swap = caplen;
                caplen = wirelen;
                wirelen = swap;
            }
            checkLengths(caplen, wirelen);
            if (!fill(recordHeaderLength + caplen)) {
                return atCleanEnd("in a record");
            }
            long seconds = intAt(position + PcapRecordHeader.TS_SECONDS_OFFSET) & 0xFFFFFFFFL;
            long fraction = intAt(position + PcapRecordHeader.TS_FRACTION_OFFSET) & 0xFFFFFFFFL;
            long nanos = seconds * NANOS_PER_SECOND + (nanosecondFile ? fraction : fraction * 1000);
            handler.onPacket(buffer, position + recordHeaderLength, caplen, wirelen, nanos, PacketHandler.NO_VLAN_TAG);
            position += recordHeaderLength + caplen;
            packetsInFile++;
            batch++;
        }
        return !handler.stopRequested();
    }

    /**
     * A captured length beyond {@link #MAX_CAPLEN} ends the input (libpcap stops at 262144 for most
     * link types); one beyond the original length is read, as libpcap and Wireshark read it, and
     * counted.
     */
    private void checkLengths(int caplen, int wirelen) throws InputException {
        if (caplen < 0 || caplen > MAX_CAPLEN) {
            throw new InputException(label() + "record " + (packetsInFile + 1) + ": captured length "
                    + Integer.toUnsignedString(caplen) + " exceeds the limit of " + MAX_CAPLEN + " bytes (corrupt input?)");
        }
        if (Integer.compareUnsigned(caplen, wirelen) > 0) {
            capturedOverOriginal.increment();
        }
    }

    /**
     * At the end of the buffered input: a clean end if nothing is left over, otherwise the input
     * stopped inside a record. Returns false (no more) or throws.
     */
    private boolean atCleanEnd(String where) throws InputException {
        if (position == limit) {
            return fileIndex < names.size();
        }
        throw new InputException(label() + "input truncated after " + packetsInFile + " records ("
                + (limit - position) + " bytes left " + where + ")");
    }

    private int intAt(long at) {
        return buffer.get(bigEndian ? INT_BE : INT_LE, at);
    }

    private int shortAt(long at) {
        return buffer.get(bigEndian ? SHORT_BE : SHORT_LE, at) & 0xFFFF;
    }

    /** A pcapng packet timestamp: two 32-bit halves, high first, in the section's byte order. */
    private long timestampAt(int highOffset, int lowOffset) {
        return (intAt(position + highOffset) & 0xFFFFFFFFL) << 32 | (intAt(position + lowOffset) & 0xFFFFFFFFL);
    }

    // ---------------------------------------------------------------- pcapng

    /** Reads blocks up to the first interface description, which gives the link type. */
    private int readPcapngPreamble() throws InputException, IOException {
        format = "pcapng";
        interfaces.clear();
        int fileLinkType = -1;
        while (interfaces.count() == 0) {
            int type = nextPcapngBlock();
            if (type == -1) {
                throw new InputException(label() + "pcapng input has no interface description block");
            }
            int length = intAt(position + PcapngBlock.TOTAL_LENGTH_OFFSET);
            if (isPacketBlock(type)) {
                throw new InputException(label() + "pcapng packet block before any interface description");
            }
            if (type == PcapngBlock.TYPE_INTERFACE_DESCRIPTION && length >= PcapngBlock.IDB_OPTIONS_OFFSET + 4) {
                fileLinkType = shortAt(position + PcapngBlock.IDB_LINKTYPE_OFFSET);
            }
            consumeMetadataBlock(type, length, linkTypeField == -1 ? fileLinkType : linkTypeField);
        }
        return fileLinkType;
    }

    private static boolean isPacketBlock(int type) {
        return type == PcapngBlock.TYPE_ENHANCED_PACKET || type == PcapngBlock.TYPE_SIMPLE_PACKET
                || type == PcapngBlock.TYPE_OBSOLETE_PACKET;
    }

    /**
     * Makes the next whole block available at {@code position} and returns its type, or -1 at a
     * clean end of input. A section header switches the byte order.
     */
    private int nextPcapngBlock() throws InputException, IOException {
        if (!fill(PcapngBlock.BODY_OFFSET)) {
            if (position == limit) {
                return -1;
            }
            throw new InputException(label() + "input truncated after " + packetsInFile + " records (in a pcapng block header)");
        }
        int type = buffer.get(INT_LE, position);
        if (type == PcapngBlock.TYPE_SECTION_HEADER) {
            if (!fill(PcapngBlock.SHB_BYTE_ORDER_MAGIC_OFFSET + 4)) {
                throw new InputException(label() + "input truncated in a pcapng section header");
            }
            int magic = buffer.get(INT_LE, position + PcapngBlock.SHB_BYTE_ORDER_MAGIC_OFFSET);
            if (magic == PcapngBlock.SHB_BYTE_ORDER_MAGIC) {
                bigEndian = false;
            } else if (magic == Integer.reverseBytes(PcapngBlock.SHB_BYTE_ORDER_MAGIC)) {
                bigEndian = true;
            } else {
                throw new InputException(label() + String.format("pcapng section header with bad byte-order magic 0x%08x", magic));
            }
        } else {
            type = intAt(position);
        }
        int length = intAt(position + PcapngBlock.TOTAL_LENGTH_OFFSET);
        if (length < PcapngBlock.FRAME_OVERHEAD || (length & 3) != 0 || length > PcapngBlock.MAX_BLOCK_LENGTH) {
            throw new InputException(label() + "pcapng block at byte " + (consumedBeforeBuffer + position)
                    + " has a bad length (" + Integer.toUnsignedString(length) + ")");
        }
        if (!fill(length)) {
            throw new InputException(label() + "input truncated after " + packetsInFile + " records (in a pcapng block)");
        }
        if (intAt(position + length - 4) != length) {
            throw new InputException(label() + "pcapng block at byte " + (consumedBeforeBuffer + position)
                    + " has mismatched lengths (" + length + " and " + Integer.toUnsignedString(intAt(position + length - 4)) + ")");
        }
        return type;
    }

    /** Consumes a block that is not a packet; {@code expectedLinkType} is every interface's (-1: the first one's). */
    private void consumeMetadataBlock(int type, int length, int expectedLinkType) throws InputException {
        if (type == PcapngBlock.TYPE_SECTION_HEADER) {
            interfaces.clear();
        } else if (type == PcapngBlock.TYPE_INTERFACE_DESCRIPTION) {
            if (length < PcapngBlock.IDB_OPTIONS_OFFSET + 4) {
                throw new InputException(label() + "pcapng interface description block too short (" + length + " bytes)");
            }
            int blockLinkType = shortAt(position + PcapngBlock.IDB_LINKTYPE_OFFSET);
            if (expectedLinkType != -1 && blockLinkType != expectedLinkType) {
                throw new InputException(label() + "pcapng interface with link type " + blockLinkType
                        + " differs from the first interface's " + describeLinkType(expectedLinkType)
                        + "; one pcap output holds one link type");
            }
            if (interfaces.isFull()) {
                throw new InputException(label() + "pcapng section describes more than " + PcapngInterfaces.MAX_INTERFACES
                        + " interfaces (the most gulp keeps)");
            }
            readTimeOptions(position + PcapngBlock.IDB_OPTIONS_OFFSET, position + length - 4);
            interfaces.add(optionTsresol, optionTsoffset, intAt(position + PcapngBlock.IDB_SNAPLEN_OFFSET));
        }
        position += length;
    }

    /** Sets {@link #optionTsresol} and {@link #optionTsoffset} from an IDB's options (defaults: microseconds, 0). */
    private void readTimeOptions(long at, long end) {
        optionTsresol = PcapngInterfaces.DEFAULT_TSRESOL;
        optionTsoffset = 0;
        while (at + 4 <= end) {
            int code = shortAt(at);
            int length = shortAt(at + 2);
            if (code == PcapngBlock.OPTION_END || at + 4 + length > end) {
                break;
            }
            if (code == PcapngBlock.IDB_OPTION_TSRESOL && length >= 1) {
                optionTsresol = buffer.get(ValueLayout.JAVA_BYTE, at + 4) & 0xFF;
            } else if (code == PcapngBlock.IDB_OPTION_TSOFFSET && length >= 8) {
                long high = intAt(at + 4) & 0xFFFFFFFFL;
                long low = intAt(at + 8) & 0xFFFFFFFFL;
                optionTsoffset = bigEndian ? (high << 32 | low) : (low << 32 | high);
            }
            at += 4 + ((length + 3) & ~3);
        }
    }

    private boolean readPcapngBlocks(PacketHandler handler) throws InputException, IOException {
        int batch = 0;
        while (batch < 4096) {
            int type = nextPcapngBlock();
            if (type == -1) {
                return fileIndex < names.size();
            }
            int length = intAt(position + PcapngBlock.TOTAL_LENGTH_OFFSET);
            switch (type) {
                case PcapngBlock.TYPE_ENHANCED_PACKET -> enhancedPacket(handler, length);
                case PcapngBlock.TYPE_SIMPLE_PACKET -> simplePacket(handler, length);
                case PcapngBlock.TYPE_OBSOLETE_PACKET -> obsoletePacket(handler, length);
                default -> {
                    consumeMetadataBlock(type, length, linkTypeField);
                    continue;
                }
            }
            position += length;
            packetsInFile++;
            batch++;
        }
        return !handler.stopRequested();
    }

    private void enhancedPacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.EPB_DATA_OFFSET + 4, "enhanced packet");
        int interfaceId = intAt(position + PcapngBlock.EPB_INTERFACE_OFFSET);
        long timestamp = timestampAt(PcapngBlock.EPB_TS_HIGH_OFFSET, PcapngBlock.EPB_TS_LOW_OFFSET);
        int caplen = intAt(position + PcapngBlock.EPB_CAPLEN_OFFSET);
        int wirelen = intAt(position + PcapngBlock.EPB_WIRELEN_OFFSET);
        packetData(handler, length, interfaceId, timestamp, caplen, wirelen, PcapngBlock.EPB_DATA_OFFSET);
    }

    private void obsoletePacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.OPB_DATA_OFFSET + 4, "packet");
        int interfaceId = shortAt(position + PcapngBlock.OPB_INTERFACE_OFFSET);
        long timestamp = timestampAt(PcapngBlock.OPB_TS_HIGH_OFFSET, PcapngBlock.OPB_TS_LOW_OFFSET);
        int caplen = intAt(position + PcapngBlock.OPB_CAPLEN_OFFSET);
        int wirelen = intAt(position + PcapngBlock.OPB_WIRELEN_OFFSET);
        packetData(handler, length, interfaceId, timestamp, caplen, wirelen, PcapngBlock.OPB_DATA_OFFSET);
    }

    private void simplePacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.SPB_DATA_OFFSET + 4, "simple packet");
        int wirelen = intAt(position + PcapngBlock.SPB_WIRELEN_OFFSET);
        int room = length - PcapngBlock.SPB_DATA_OFFSET - 4;
        // The data is the packet cut to the interface's snaplen, then padded to 32 bits.
        long snaplen = Integer.toUnsignedLong(interfaces.firstSnaplen());
        long captured = snaplen == 0 ? Integer.toUnsignedLong(wirelen) : Math.min(Integer.toUnsignedLong(wirelen), snaplen);
        int caplen = (int) Math.min(captured, room);
        packetData(handler, length, 0, 0, caplen, wirelen, PcapngBlock.SPB_DATA_OFFSET);
    }

    private void requireBody(int length, int minimum, String what) throws InputException {
        if (length < minimum) {
            throw new InputException(label() + "pcapng " + what + " block too short (" + length + " bytes)");
        }
    }

    private void packetData(PacketHandler handler, int length, int interfaceId, long timestamp, int caplen, int wirelen,
                            int dataOffset) throws InputException {
        if (!interfaces.isDescribed(interfaceId)) {
            throw new InputException(label() + "pcapng packet " + (packetsInFile + 1) + " names interface " + interfaceId
                    + ", which was not described");
        }
        checkLengths(caplen, wirelen);
        if (dataOffset + caplen > length - 4) {
            throw new InputException(label() + "pcapng packet " + (packetsInFile + 1) + ": captured length " + caplen
                    + " does not fit its block of " + length + " bytes");
        }
        long nanos = interfaces.toNanos(interfaceId, timestamp);
        handler.onPacket(buffer, position + dataOffset, caplen, wirelen, nanos, PacketHandler.NO_VLAN_TAG);
    }

    // ---------------------------------------------------------------- buffering

    /**
     * Makes at least {@code needed} bytes available from {@code position}, reading more input as
     * needed. Returns false if the input ends first (whatever there is stays buffered).
     */
    private boolean fill(int needed) throws IOException {
        if (limit - position >= needed) {
            return true;
        }
        if (needed > buffer.byteSize()) {
            grow(needed);
        }
        int size = (int) buffer.byteSize();
        if (position > 0 && position + needed > size) {
            compact();
        }
        while (limit - position < needed && !endOfInput) {
            if (limit == size) {
                compact();
            }
            bufferView.limit(size).position(limit);
            if (publisher != null) {
                publisher.onBatchEnd();
            }
            int n = channel.read(bufferView);
            if (n < 0) {
                endOfInput = true;
            } else {
                limit += n;
            }
        }
        return limit - position >= needed;
    }

    /** A larger buffer for a large block (at most {@link #MAX_BUFFER_SIZE}), holding what is buffered. */
    private void grow(int needed) {
        MemorySegment old = buffer;
        int remaining = limit - position;
        allocateBuffer((int) Math.min(MAX_BUFFER_SIZE, Math.max(needed, 2 * old.byteSize())));
        MemorySegment.copy(old, position, buffer, 0, remaining);
        consumedBeforeBuffer += position;
        position = 0;
        limit = remaining;
    }

    private void compact() {
        int remaining = limit - position;
        MemorySegment.copy(buffer, position, buffer, 0, remaining);
        consumedBeforeBuffer += position;
        position = 0;
        limit = remaining;
    }
}
