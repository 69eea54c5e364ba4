package gulp.decap;

import java.lang.foreign.MemorySegment;

/**
 * One outer IP fragment as {@link FragmentReassembler#offer} takes it: the key of its datagram (IP
 * version, addresses, identification and, for IPv4, the protocol), its place in the datagram and
 * where its payload bytes are. The {@link Decapsulator} fills its one instance in place for every
 * fragment (no allocation per packet); the reassembler reads it once into locals.
 */
final class Fragment {
    /** 4 or 6. */
    int version;
    /** Addresses as two longs each; IPv4 addresses in the low long, the high long 0. */
    long sourceHigh;
    long sourceLow;
    long destinationHigh;
    long destinationLow;
    int identification;
    /** The part of the protocol that identifies the datagram: the IPv4 protocol; 0 for IPv6. */
    int keyProtocol;
    /** The IPv4 protocol or the IPv6 fragment header's next header (kept from the first fragment). */
    int protocol;
    /** Byte offset of this fragment's payload in the datagram's payload. */
    int offset;
    /** More fragments follow this one. */
    boolean more;
    MemorySegment segment;
    /** Where the fragment's payload starts in {@link #segment}. */
    long payloadAt;
    int payloadLength;
}
