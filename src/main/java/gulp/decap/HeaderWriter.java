package gulp.decap;

import java.nio.ByteBuffer;

/**
 * Writes the headers {@code -d} reads, each at a buffer's position and at its descriptor's
 * offsets (big-endian, checksums 0), and leaves the position after it: one piece of code for
 * the live warm-up's encapsulated frames ({@link WarmUpFrames}), the index warm-up's
 * ({@code gulp.extract.IndexWarmUp}) and the tests' ({@code gulp.testing.Frames}).
 * What follows a header (its payload, Geneve options, an ERSPAN sub-header) is the caller's.
 */
public final class HeaderWriter {
    private HeaderWriter() {}

    /** Ethernet; of {@code vlanTags} (tag control words) one is 802.1Q, two or more are 802.1ad then 802.1Q. */
    public static ByteBuffer ethernet(ByteBuffer b, byte[] destination, byte[] source, int etherType, int... vlanTags) {
        int at = b.position();
        b.put(at + EthernetHeader.DESTINATION_OFFSET, destination).put(at + EthernetHeader.SOURCE_OFFSET, source);
        int type = at + EthernetHeader.ETHERTYPE_OFFSET;
        for (int i = 0; i < vlanTags.length; i++) {
            int tpid = i == 0 && vlanTags.length > 1 ? EthernetHeader.TYPE_QINQ : EthernetHeader.TYPE_VLAN;
            b.putShort(type, (short) tpid).putShort(type + EthernetHeader.VLAN_TAG_CONTROL_OFFSET, (short) vlanTags[i]);
            type += EthernetHeader.VLAN_TAG_LENGTH;
        }
        b.putShort(type, (short) etherType);
        return b.position(type + EthernetHeader.ETHERTYPE_LENGTH);
    }

    /** IPv4 of {@code totalLength} bytes, its header {@code optionWords} words of NOP options longer than the least. */
    public static ByteBuffer ipv4(ByteBuffer b, int tos, int id, int fragment, int ttl, int protocol, byte[] source,
                                  byte[] destination, int optionWords, int totalLength) {
        int at = b.position();
        int length = Ipv4Header.MIN_LENGTH + Ipv4Header.WORD_LENGTH * optionWords;
        b.put(at + Ipv4Header.VERSION_IHL_OFFSET, (byte) (Ipv4Header.VERSION << Ipv4Header.VERSION_SHIFT | length / Ipv4Header.WORD_LENGTH))
                .put(at + Ipv4Header.TOS_OFFSET, (byte) tos)
                .putShort(at + Ipv4Header.TOTAL_LENGTH_OFFSET, (short) totalLength)
                .putShort(at + Ipv4Header.IDENTIFICATION_OFFSET, (short) id)
                .putShort(at + Ipv4Header.FLAGS_FRAGMENT_OFFSET, (short) fragment)
                .put(at + Ipv4Header.TTL_OFFSET, (byte) ttl)
                .put(at + Ipv4Header.PROTOCOL_OFFSET, (byte) protocol)
                .putShort(at + Ipv4Header.CHECKSUM_OFFSET, (short) 0)
                .put(at + Ipv4Header.SOURCE_OFFSET, source)
                .put(at + Ipv4Header.DESTINATION_OFFSET, destination);
        for (int option = at + Ipv4Header.MIN_LENGTH; option < at + length; option += Ipv4Header.WORD_LENGTH) {
            b.putInt(option, Ipv4Header.NOP_OPTIONS);
        }
        return b.position(at + length);
    }

    /** IPv6 without extension headers: {@code nextHeader}, hop limit 64, {@code payloadLength} bytes after it. */
    public static ByteBuffer ipv6(ByteBuffer b, int nextHeader, byte[] source, byte[] destination, int payloadLength) {
        int at = b.position();
        b.putInt(at, Ipv6Header.VERSION << Ipv6Header.VERSION_SHIFT)
                .putShort(at + Ipv6Header.PAYLOAD_LENGTH_OFFSET, (short) payloadLength)
                .put(at + Ipv6Header.NEXT_HEADER_OFFSET, (byte) nextHeader)
                .put(at + Ipv6Header.HOP_LIMIT_OFFSET, (byte) 64)
                .put(at + Ipv6Header.SOURCE_OFFSET, source)
                .put(at + Ipv6Header.DESTINATION_OFFSET, destination);
        return b.position(at + Ipv6Header.LENGTH);
    }

    /**
     * The ports word that starts TCP, UDP and SCTP alike (what the index's summary reads of each),
     * and only that: unlike the other writers it leaves the position at the ports (the rest of the
     * transport header is the caller's).
     */
    public static ByteBuffer ports(ByteBuffer b, int sourcePort, int destinationPort) {
        int at = b.position();
        b.putShort(at + UdpHeader.SOURCE_PORT_OFFSET, (short) sourcePort)
                .putShort(at + UdpHeader.DESTINATION_PORT_OFFSET, (short) destinationPort);
        return b;
    }

    /** UDP of {@code length} bytes (header and payload). */
    public static ByteBuffer udp(ByteBuffer b, int sourcePort, int destinationPort, int length) {
        int at = b.position();
        b.putShort(at + UdpHeader.SOURCE_PORT_OFFSET, (short) sourcePort)
                .putShort(at + UdpHeader.DESTINATION_PORT_OFFSET, (short) destinationPort)
                .putShort(at + UdpHeader.LENGTH_OFFSET, (short) length)
                .putShort(at + UdpHeader.CHECKSUM_OFFSET, (short) 0);
        return b.position(at + UdpHeader.LENGTH);
    }

    /** GRE with {@code flags}: the checksum word (0), {@code key} and {@code sequence} where C, K and S are set. */
    public static ByteBuffer gre(ByteBuffer b, int flags, int protocol, int key, int sequence) {
        int at = b.position();
        b.putShort(at + GreHeader.FLAGS_VERSION_OFFSET, (short) flags).putShort(at + GreHeader.PROTOCOL_OFFSET, (short) protocol);
        if ((flags & GreHeader.FLAG_CHECKSUM) != 0) {
            b.putInt(at + GreHeader.CHECKSUM_OFFSET, 0);
        }
        if ((flags & GreHeader.FLAG_KEY) != 0) {
            b.putInt(at + GreHeader.keyOffset(flags), key);
        }
        if ((flags & GreHeader.FLAG_SEQUENCE) != 0) {
            b.putInt(at + GreHeader.sequenceOffset(flags), sequence);
        }
        return b.position(at + GreHeader.length(flags));
    }

    /** ERSPAN type II of {@code vlan} and {@code session}, with {@code index}. */
    public static ByteBuffer erspanII(ByteBuffer b, int vlan, int session, int index) {
        int at = b.position();
        b.putInt(at + ErspanHeader.WORD0_OFFSET, ErspanHeader.word0(ErspanHeader.VERSION_TYPE_II, vlan, session))
                .putInt(at + ErspanHeader.TYPE_II_INDEX_OFFSET, index);
        return b.position(at + ErspanHeader.TYPE_II_LENGTH);
    }

    /** ERSPAN type III of {@code session} (VLAN 0), with {@code timestamp} and {@code word2} (SGT, P, FT, HwID, D, Gra, O). */
    public static ByteBuffer erspanIII(ByteBuffer b, int session, int timestamp, int word2) {
        int at = b.position();
        b.putInt(at + ErspanHeader.WORD0_OFFSET, ErspanHeader.word0(ErspanHeader.VERSION_TYPE_III, 0, session))
                .putInt(at + ErspanHeader.TYPE_III_TIMESTAMP_OFFSET, timestamp)
                .putInt(at + ErspanHeader.TYPE_III_WORD2_OFFSET, word2);
        return b.position(at + ErspanHeader.TYPE_III_LENGTH);
    }

    /** VXLAN of {@code vni} (the I flag set, no next protocol). */
    public static ByteBuffer vxlan(ByteBuffer b, int vni) {
        int at = b.position();
        b.putInt(at, 0).put(at + VxlanHeader.FLAGS_OFFSET, (byte) VxlanHeader.FLAG_VNI_VALID)
                .putInt(at + VxlanHeader.VNI_OFFSET, VxlanHeader.vniWord(vni));
        return b.position(at + VxlanHeader.LENGTH);
    }

    /** Geneve's fixed header: version 0, {@code optionWords} words of options to follow, {@code protocol}, {@code vni}. */
    public static ByteBuffer geneve(ByteBuffer b, int optionWords, int protocol, int vni) {
        int at = b.position();
        b.put(at + GeneveHeader.VERSION_OPTION_LENGTH_OFFSET, (byte) (optionWords & GeneveHeader.OPTION_LENGTH_MASK))
                .put(at + GeneveHeader.FLAGS_OFFSET, (byte) 0)
                .putShort(at + GeneveHeader.PROTOCOL_OFFSET, (short) protocol)
                .putInt(at + GeneveHeader.VNI_OFFSET, GeneveHeader.vniWord(vni));
        return b.position(at + GeneveHeader.BASE_LENGTH);
    }
}
