package gulp.format;

/**
 * The LINKTYPE_ values gulp names (the link-type field of a pcap file header, an interface
 * description's link type) and libpcap's reading of the 32-bit field (pcap-savefile(5)):
 *
 * <pre>
 *  bits 31-28  FCS length in 16-bit words     bit 26  FCS length present
 *  bit  27     reserved                        bits 25-0  the LINKTYPE_ value (LT_LINKTYPE)
 * </pre>
 *
 * libpcap takes the LINKTYPE_ value as {@code field & 0x03FFFFFF} and copies the upper six bits
 * (LT_LINKTYPE_EXT) unchanged to a file it writes from this one.
 */
public final class LinkType {
    public static final int ETHERNET = 1;
    /** Raw IP (a live capture on an interface without link-layer header). */
    public static final int RAW = 101;
    /** Linux NFLOG, see {@link NflogHeader}. */
    public static final int NFLOG = 239;

    /** LT_LINKTYPE: the bits of the field that hold the LINKTYPE_ value. */
    public static final int MASK = 0x03FFFFFF;
    /** LT_LINKTYPE_EXT: the upper bits (FCS length), kept as they are. */
    public static final int EXT_MASK = 0xFC000000;

    private LinkType() {
    }

    /** The LINKTYPE_ value of a link-type field, as libpcap reads it. */
    public static int of(int field) {
        return field & MASK;
    }

    /** The link-type field as a number, with the field in hex when its upper bits are set (for messages). */
    public static String describe(int field) {
        int value = of(field);
        return value == field ? Integer.toString(value) : String.format("%d (field 0x%08x)", value, field);
    }
}
