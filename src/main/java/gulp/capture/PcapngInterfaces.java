package gulp.capture;

import gulp.format.PcapngBlock;

import java.util.Arrays;

/**
 * The interfaces described so far in the current pcapng section, kept as small as what a packet
 * needs from them: its timestamp resolution ({@code if_tsresol}) and offset ({@code if_tsoffset}).
 * The link type is the same for every interface (checked when one is described) and the snap
 * length matters only to simple packets, which belong to interface 0. So an interface costs one
 * byte, nine once some interface has a time offset, and a section holds at most
 * {@link #MAX_INTERFACES}: a stream of millions of interface blocks (libpcap reads them) is read
 * in bounded memory. For pcapng output each interface also keeps its link type, snap length and
 * the id of the output interface it became (declared at its first packet), 9 bytes more.
 */
final class PcapngInterfaces {
    /** More interfaces in one section are refused (one line, after the packets before them). */
    static final int MAX_INTERFACES = 1 << 24;
    private static final int INITIAL = 16;

    private byte[] resolutions = new byte[INITIAL];
    /** if_tsoffset in seconds per interface; null while every interface so far has none. */
    private long[] offsets;
    private int count;
    private int firstSnaplen;
    private short[] linkTypes = new short[INITIAL];
    private int[] snaplens = new int[INITIAL];
    /** The output interface of each ({@link PacketHandler#declareInterface}), -1 until its first packet. */
    private int[] outputIds = new int[INITIAL];

    /** A new section: no interfaces. */
    void clear() {
        count = 0;
        offsets = null;
        if (resolutions.length > INITIAL) {
            resolutions = new byte[INITIAL];
            linkTypes = new short[INITIAL];
            snaplens = new int[INITIAL];
            outputIds = new int[INITIAL];
        }
    }

    int count() {
        return count;
    }

    boolean isFull() {
        return count >= MAX_INTERFACES;
    }

    /** The snap length of interface 0 (0: none). */
    int firstSnaplen() {
        return firstSnaplen;
    }

    /** Adds the next interface; the caller checks {@link #isFull()} first. */
    void add(int tsresol, long offsetSeconds, int snaplen, int linkType) {
        if (count == resolutions.length) {
            resolutions = Arrays.copyOf(resolutions, grown(count));
            linkTypes = Arrays.copyOf(linkTypes, resolutions.length);
            snaplens = Arrays.copyOf(snaplens, resolutions.length);
            outputIds = Arrays.copyOf(outputIds, resolutions.length);
        }
        linkTypes[count] = (short) linkType;
        snaplens[count] = snaplen;
        outputIds[count] = -1;
        if (offsetSeconds != 0 && offsets == null) {
            offsets = new long[resolutions.length];
        }
        if (offsets != null && offsets.length < resolutions.length) {
            offsets = Arrays.copyOf(offsets, resolutions.length);
        }
        if (count == 0) {
            firstSnaplen = snaplen;
        }
        resolutions[count] = (byte) tsresol;
        if (offsets != null) {
            offsets[count] = offsetSeconds;
        }
        count++;
    }

    private static int grown(int length) {
        return (int) Math.min(MAX_INTERFACES, Math.max(INITIAL, 2L * length));
    }

    int linkType(int interfaceId) {
        return Short.toUnsignedInt(linkTypes[interfaceId]);
    }

    int snaplen(int interfaceId) {
        return snaplens[interfaceId];
    }

    /** The output interface of {@code interfaceId} (described), or -1 before its first packet. */
    int outputId(int interfaceId) {
        return outputIds[interfaceId];
    }

    void setOutputId(int interfaceId, int outputId) {
        outputIds[interfaceId] = outputId;
    }

    boolean isDescribed(int interfaceId) {
        return interfaceId >= 0 && interfaceId < count;
    }

    /** A packet timestamp of interface {@code interfaceId} (described) in nanoseconds since the epoch. */
    long timestampNanos(int interfaceId, long units) {
        long offset = offsets == null ? 0 : offsets[interfaceId];
        return PcapngBlock.timestampNanos(units, resolutions[interfaceId] & 0xFF, offset);
    }
}
