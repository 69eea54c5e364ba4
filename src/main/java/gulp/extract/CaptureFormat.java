package gulp.extract;

import gulp.capture.CaptureFileSource;
import gulp.capture.InputException;
import gulp.format.PcapFileHeader;
import gulp.format.PcapngBlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * What a capture file is, from its first bytes: classic pcap version 2.4 (either byte order,
 * micro- or nanoseconds), which {@link PcapCursor} reads from any offset, or anything else the
 * capture reader understands (pcapng, Kuznetzov or old versions), read from its start by
 * {@link StreamCursor}.
 *
 * @param seekable     classic pcap 2.4: records can be read from an offset of the index
 * @param linkTypeField the link-type field (upper bits included) of the file (its first interface for pcapng)
 * @param snaplen      the file's snap length
 */
record CaptureFormat(boolean seekable, boolean bigEndian, boolean nanosecond, int snaplen, int linkTypeField,
                     String description) {

    /**
     * The format of {@code file} (opened as {@code channel}); null when it is not a capture file
     * (an index, a lock file, anything else a directory holds).
     */
    static CaptureFormat probe(Path file, FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(PcapFileHeader.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining() && channel.read(header, header.position()) > 0) {
            // Fill.
        }
        if (header.position() < 4) {
            return null;
        }
        int magic = header.getInt(0);
        ByteOrder order = PcapFileHeader.byteOrder(magic);
        if (order != null && header.position() == PcapFileHeader.LENGTH) {
            header.order(order);
            int major = header.getShort(PcapFileHeader.VERSION_MAJOR_OFFSET) & 0xFFFF;
            int minor = header.getShort(PcapFileHeader.VERSION_MINOR_OFFSET) & 0xFFFF;
            boolean plain = PcapFileHeader.recordHeaderLength(magic) == gulp.format.PcapRecordHeader.LENGTH
                    && major == PcapFileHeader.VERSION_MAJOR && minor == PcapFileHeader.VERSION_MINOR;
            boolean nanos = PcapFileHeader.nanosecond(magic);
            if (plain) {
                return new CaptureFormat(true, order == ByteOrder.BIG_ENDIAN, nanos,
                        header.getInt(PcapFileHeader.SNAPLEN_OFFSET), header.getInt(PcapFileHeader.LINKTYPE_OFFSET),
                        "pcap");
            }
        } else if (magic != PcapngBlock.TYPE_SECTION_HEADER) {
            return null;
        }
        // pcapng and the rarer pcap kinds: what the capture reader says about them.
        try (CaptureFileSource source = CaptureFileSource.open(List.of(file.toString()))) {
            byte[] savefile = source.savefileHeader();
            ByteBuffer b = ByteBuffer.wrap(savefile).order(ByteOrder.LITTLE_ENDIAN);
            ByteOrder savedOrder = PcapFileHeader.byteOrder(b.getInt(0));
            b.order(savedOrder == null ? ByteOrder.LITTLE_ENDIAN : savedOrder);
            return new CaptureFormat(false, false, true, b.getInt(PcapFileHeader.SNAPLEN_OFFSET), source.linkTypeField(),
                    magic == PcapngBlock.TYPE_SECTION_HEADER ? "pcapng" : "pcap (read from the start)");
        } catch (InputException e) {
            return null;
        }
    }
}
