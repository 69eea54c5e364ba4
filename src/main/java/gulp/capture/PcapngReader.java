package gulp.capture;

import gulp.format.CaptureInterface;
import gulp.format.LinkType;
import gulp.format.PcapngBlock;
import gulp.format.Timestamps;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static gulp.format.Endian.INT_LE;

/**
 * The pcapng side of {@link CaptureFileSource}: blocks (at most 16 MiB, as libpcap), sections
 * (each sets the byte order and starts without interfaces), interface descriptions (one link type
 * for all; their time resolution and offset in {@link PcapngInterfaces}) and the three packet
 * blocks. Errors name the input and the record count through the source.
 */
final class PcapngReader {
    private final InputBuffer in;
    private final CaptureFileSource source;
    private final PcapngInterfaces interfaces = new PcapngInterfaces();
    // an IDB's time options as parsed
    private int optionTsresol;
    private long optionTsoffset;

    PcapngReader(InputBuffer in, CaptureFileSource source) {
        this.in = in;
        this.source = source;
    }

    /** The snap length of the current section's first interface. */
    int firstSnaplen() {
        return interfaces.firstSnaplen();
    }

    /** A pcapng packet timestamp in units of its interface: two 32-bit halves, high first, in the section's byte order. */
    private long timestampAt(int highOffset, int lowOffset) {
        return PcapngBlock.timestampUnits(in.intAt(in.position + highOffset), in.intAt(in.position + lowOffset));
    }

    /**
     * Reads the blocks before the first packet (the interface descriptions a writer puts first),
     * so an input whose interfaces differ in link type is refused, when it must be, before
     * anything is written; returns the first interface's link type.
     */
    int readPreamble() throws InputException, IOException {
        interfaces.clear();
        int fileLinkType = -1;
        while (true) {
            int type = nextBlock();
            if (type == -1 || PcapngBlock.isPacketBlock(type)
                    || (type == PcapngBlock.TYPE_SECTION_HEADER && interfaces.count() > 0)) {
                if (interfaces.count() > 0) {
                    return fileLinkType; // the block at in.position is read again by readBlocks
                }
                throw new InputException(source.label() + (type == -1 ? "pcapng input has no interface description block"
                        : "pcapng packet block before any interface description"));
            }
            int length = in.intAt(in.position + PcapngBlock.TOTAL_LENGTH_OFFSET);
            if (type == PcapngBlock.TYPE_INTERFACE_DESCRIPTION && length >= PcapngBlock.IDB_OPTIONS_OFFSET + 4
                    && fileLinkType == -1) {
                fileLinkType = in.shortAt(in.position + PcapngBlock.IDB_LINKTYPE_OFFSET);
            }
            consumeMetadataBlock(type, length, source.linkTypeField == -1 ? fileLinkType : source.linkTypeField);
        }
    }

    /**
     * Makes the next whole block available at {@code in.position} and returns its type, or -1 at a
     * clean end of input. A section header switches the byte order.
     */
    private int nextBlock() throws InputException, IOException {
        if (!in.fill(PcapngBlock.BODY_OFFSET)) {
            if (in.position == in.limit) {
                return -1;
            }
            throw new InputException(source.label() + "input truncated after " + source.packetsInFile + " records (in a pcapng block header)");
        }
        int type = in.segment.get(INT_LE, in.position);
        if (type == PcapngBlock.TYPE_SECTION_HEADER) {
            if (!in.fill(PcapngBlock.SHB_BYTE_ORDER_MAGIC_OFFSET + 4)) {
                throw new InputException(source.label() + "input truncated in a pcapng section header");
            }
            int magic = in.segment.get(INT_LE, in.position + PcapngBlock.SHB_BYTE_ORDER_MAGIC_OFFSET);
            ByteOrder order = PcapngBlock.byteOrder(magic);
            if (order == null) {
                throw new InputException(source.label() + String.format("pcapng section header with bad byte-order magic 0x%08x", magic));
            }
            in.order(order);
        } else {
            type = in.intAt(in.position);
        }
        int length = in.intAt(in.position + PcapngBlock.TOTAL_LENGTH_OFFSET);
        if (length < PcapngBlock.FRAME_OVERHEAD || (length & 3) != 0 || length > PcapngBlock.MAX_BLOCK_LENGTH) {
            throw new InputException(source.label() + "pcapng block at byte " + (in.offset())
                    + " has a bad length (" + Integer.toUnsignedString(length) + ")");
        }
        if (!in.fill(length)) {
            throw new InputException(source.label() + "input truncated after " + source.packetsInFile + " records (in a pcapng block)");
        }
        if (in.intAt(in.position + length - 4) != length) {
            throw new InputException(source.label() + "pcapng block at byte " + (in.offset())
                    + " has mismatched lengths (" + length + " and " + Integer.toUnsignedString(in.intAt(in.position + length - 4)) + ")");
        }
        return type;
    }

    /** Consumes a block that is not a packet; {@code expectedLinkType} is every interface's (-1: the first one's). */
    private void consumeMetadataBlock(int type, int length, int expectedLinkType) throws InputException {
        if (type == PcapngBlock.TYPE_SECTION_HEADER) {
            interfaces.clear();
        } else if (type == PcapngBlock.TYPE_INTERFACE_DESCRIPTION) {
            if (length < PcapngBlock.IDB_OPTIONS_OFFSET + 4) {
                throw new InputException(source.label() + "pcapng interface description block too short (" + length + " bytes)");
            }
            int blockLinkType = in.shortAt(in.position + PcapngBlock.IDB_LINKTYPE_OFFSET);
            if (expectedLinkType != -1 && blockLinkType != expectedLinkType) {
                source.checkMixedLinkType("pcapng interface with link type " + LinkType.describe(blockLinkType)
                        + " differs from the first interface's " + LinkType.describe(expectedLinkType));
            }
            if (interfaces.isFull()) {
                throw new InputException(source.label() + "pcapng section describes more than " + PcapngInterfaces.MAX_INTERFACES
                        + " interfaces (the most gulp keeps)");
            }
            readTimeOptions(in.position + PcapngBlock.IDB_OPTIONS_OFFSET, in.position + length - 4);
            interfaces.add(optionTsresol, optionTsoffset, in.intAt(in.position + PcapngBlock.IDB_SNAPLEN_OFFSET),
                    blockLinkType);
        }
        in.position += length;
    }

    /** Sets {@link #optionTsresol} and {@link #optionTsoffset} from an IDB's options (defaults: microseconds, 0). */
    private void readTimeOptions(long at, long end) {
        optionTsresol = Timestamps.TSRESOL_MICROSECONDS;
        optionTsoffset = 0;
        while (at + 4 <= end) {
            int code = in.shortAt(at);
            int length = in.shortAt(at + 2);
            if (code == PcapngBlock.OPTION_END || at + 4 + length > end) {
                break;
            }
            if (code == PcapngBlock.IDB_OPTION_TSRESOL && length >= 1) {
                optionTsresol = in.segment.get(ValueLayout.JAVA_BYTE, at + 4) & 0xFF;
            } else if (code == PcapngBlock.IDB_OPTION_TSOFFSET && length >= 8) {
                optionTsoffset = PcapngBlock.optionLong(in.intAt(at + 4), in.intAt(at + 8), in.order());
            }
            at += 4 + ((length + 3) & ~3);
        }
    }

    /** Hands over the packets of up to 4096 blocks; returns true while there is more to read in this or a later file. */
    boolean readBlocks(PacketHandler handler) throws InputException, IOException {
        int batch = 0;
        while (batch < 4096) {
            int type = nextBlock();
            if (type == -1) {
                return source.moreFiles();
            }
            int length = in.intAt(in.position + PcapngBlock.TOTAL_LENGTH_OFFSET);
            switch (type) {
                case PcapngBlock.TYPE_ENHANCED_PACKET -> enhancedPacket(handler, length);
                case PcapngBlock.TYPE_SIMPLE_PACKET -> simplePacket(handler, length);
                case PcapngBlock.TYPE_OBSOLETE_PACKET -> obsoletePacket(handler, length);
                default -> {
                    consumeMetadataBlock(type, length, source.linkTypeField);
                    continue;
                }
            }
            in.position += length;
            source.packetsInFile++;
            batch++;
        }
        return !handler.stopRequested();
    }

    private void enhancedPacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.EPB_DATA_OFFSET + 4, "enhanced packet");
        int interfaceId = in.intAt(in.position + PcapngBlock.EPB_INTERFACE_OFFSET);
        long timestamp = timestampAt(PcapngBlock.EPB_TS_HIGH_OFFSET, PcapngBlock.EPB_TS_LOW_OFFSET);
        int caplen = in.intAt(in.position + PcapngBlock.EPB_CAPLEN_OFFSET);
        int wirelen = in.intAt(in.position + PcapngBlock.EPB_WIRELEN_OFFSET);
        packetData(handler, length, interfaceId, timestamp, caplen, wirelen, PcapngBlock.EPB_DATA_OFFSET);
    }

    private void obsoletePacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.OPB_DATA_OFFSET + 4, "packet");
        int interfaceId = in.shortAt(in.position + PcapngBlock.OPB_INTERFACE_OFFSET);
        long timestamp = timestampAt(PcapngBlock.OPB_TS_HIGH_OFFSET, PcapngBlock.OPB_TS_LOW_OFFSET);
        int caplen = in.intAt(in.position + PcapngBlock.OPB_CAPLEN_OFFSET);
        int wirelen = in.intAt(in.position + PcapngBlock.OPB_WIRELEN_OFFSET);
        packetData(handler, length, interfaceId, timestamp, caplen, wirelen, PcapngBlock.OPB_DATA_OFFSET);
    }

    private void simplePacket(PacketHandler handler, int length) throws InputException {
        requireBody(length, PcapngBlock.SPB_DATA_OFFSET + 4, "simple packet");
        int wirelen = in.intAt(in.position + PcapngBlock.SPB_WIRELEN_OFFSET);
        int room = length - PcapngBlock.SPB_DATA_OFFSET - 4;
        // The data is the packet cut to the interface's snaplen, then padded to 32 bits.
        long snaplen = Integer.toUnsignedLong(interfaces.firstSnaplen());
        long captured = snaplen == 0 ? Integer.toUnsignedLong(wirelen) : Math.min(Integer.toUnsignedLong(wirelen), snaplen);
        int caplen = (int) Math.min(captured, room);
        packetData(handler, length, 0, 0, caplen, wirelen, PcapngBlock.SPB_DATA_OFFSET);
    }

    private void requireBody(int length, int minimum, String what) throws InputException {
        if (length < minimum) {
            throw new InputException(source.label() + "pcapng " + what + " block too short (" + length + " bytes)");
        }
    }

    private void packetData(PacketHandler handler, int length, int interfaceId, long timestamp, int caplen, int wirelen,
                            int dataOffset) throws InputException {
        if (!interfaces.isDescribed(interfaceId)) {
            throw new InputException(source.label() + "pcapng packet " + (source.packetsInFile + 1) + " names interface " + interfaceId
                    + ", which was not described");
        }
        source.checkLengths(caplen, wirelen);
        if (dataOffset + caplen > length - 4) {
            throw new InputException(source.label() + "pcapng packet " + (source.packetsInFile + 1) + ": captured length " + caplen
                    + " does not fit its block of " + length + " bytes");
        }
        long nanos = interfaces.timestampNanos(interfaceId, timestamp);
        int output = interfaces.outputId(interfaceId);
        if (output < 0) { // the interface's first packet: it becomes an output interface
            output = handler.declareInterface(new CaptureInterface(source.inputName() + " interface " + interfaceId,
                    "read from " + source.inputName(), interfaces.linkType(interfaceId), interfaces.snaplen(interfaceId), null));
            interfaces.setOutputId(interfaceId, output);
        }
        source.select(handler, output);
        source.toHostOrder(in.position + dataOffset, caplen, wirelen, interfaces.linkType(interfaceId));
        handler.onPacket(in.segment, in.position + dataOffset, caplen, wirelen, nanos, PacketHandler.NO_VLAN_TAG);
    }
}
