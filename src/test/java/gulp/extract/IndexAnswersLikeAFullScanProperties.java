package gulp.extract;

import gulp.filter.BpfInterpreter;
import gulp.filter.FilterCompiler;
import gulp.format.PcapFileHeader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of index (exact sets, a Bloom filter; built, and written then read back) answers for
 * random traffic and random queries what a full scan with the compiled filter answers: a file
 * with a matching packet is never skipped, and for a single {@code host}, {@code port} or
 * {@code proto} test over untagged traffic, exact sets say "may match" exactly when a packet matches.
 */
class IndexAnswersLikeAFullScanProperties {
    record Packet(int ipVersion, int host, int peer, int protocol, int sourcePort, int destinationPort, boolean vlan) {
    }

    /** Ethernet, optionally one 802.1Q tag, IPv4 or IPv6 (hosts 10.0.0.N / fd00::N), TCP/UDP/ICMP. */
    static byte[] frame(Packet p) {
        ByteBuffer b = ByteBuffer.allocate(120);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        if (p.vlan()) {
            b.putShort((short) 0x8100).putShort((short) 7);
        }
        int transport = p.protocol() == 1 || p.protocol() == 58 ? 8 : 20;
        if (p.ipVersion() == 4) {
            b.putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transport)).putInt(0).put((byte) 64)
                    .put((byte) p.protocol()).putShort((short) 0).put(new byte[] {10, 0, 0, (byte) p.host()})
                    .put(new byte[] {10, 0, (byte) (p.peer() >> 8), (byte) p.peer()});
        } else {
            b.putShort((short) 0x86DD);
            b.putInt(0x60000000).putShort((short) transport).put((byte) p.protocol()).put((byte) 64);
            b.putLong(0xfd00_0000_0000_0000L).putLong(p.host()).putLong(0xfd00_0000_0000_0000L).putLong(p.peer());
        }
        b.putShort((short) p.sourcePort()).putShort((short) p.destinationPort());
        b.put(new byte[transport - 4]);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Provide
    Arbitrary<Packet> packets() {
        return Combinators.combine(Arbitraries.of(4, 4, 6), Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(1, 12), Arbitraries.of(6, 17, 1),
                Arbitraries.of(53, 80, 443, 1234), Arbitraries.of(80, 9999, 22), Arbitraries.of(false, false, true))
                .as((v, h, peer, proto, sp, dp, vlan) -> new Packet(v, h, peer, v == 6 && proto == 1 ? 58 : proto, sp, dp, vlan));
    }

    @Provide
    Arbitrary<List<List<Packet>>> files() {
        return packets().list().ofMinSize(0).ofMaxSize(12).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> primitive = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 13).map(h -> "host 10.0.0." + h),
                Arbitraries.integers().between(1, 13).map(h -> "host fd00::" + Integer.toHexString(h)),
                Arbitraries.of("net 10.0.0.0/24", "net 10.0.1.0/24", "net fd00::/16", "net fd01::/16"),
                Arbitraries.of(53, 80, 443, 22, 9999, 7).map(p -> "port " + p),
                Arbitraries.of("tcp", "udp", "icmp", "icmp6", "proto 17", "ip proto 6", "ip6 proto 17", "tcp port 80",
                        "udp port 53", "src host 10.0.0.3", "dst port 9999", "vlan", "not host 10.0.0.1"));
        return Arbitraries.oneOf(primitive, Combinators.combine(primitive, primitive, Arbitraries.of(" and ", " or "))
                .as((a, b, op) -> "(" + a + ")" + op + "(" + b + ")"));
    }

    /** The packets as flows send them: each again right after it and again after the next (the summary's flow cache hits). */
    static List<Packet> bursts(List<Packet> file) {
        List<Packet> out = new ArrayList<>();
        for (int i = 0; i < file.size(); i++) {
            out.add(file.get(i));
            out.add(file.get(i));
            if (i > 0) {
                out.add(file.get(i - 1));
            }
        }
        return out;
    }

    @Property(tries = 300)
    void aFileWithAMatchingPacketIsNeverSkipped(@ForAll("files") List<List<Packet>> files, @ForAll("queries") String query,
                                                @ForAll boolean manyHosts, @ForAll boolean bursty) throws Exception {
        byte[] header = PcapFileHeader.encode(ByteOrder.LITTLE_ENDIAN, true, 262144, 1);
        BpfInterpreter filter;
        try {
            filter = new BpfInterpreter(FilterCompiler.compileForSavefile(query, header, 262144));
        } catch (gulp.filter.FilterException e) {
            net.jqwik.api.Assume.that(!e.getMessage().contains("rejects all packets")); // nothing to compare
            throw e;
        }
        SummaryQuery summaryQuery = SummaryQuery.of(query);
        for (List<Packet> file : files) {
            IndexBuilder builder = new IndexBuilder(1);
            boolean matches = false;
            boolean tagged = false;
            long offset = PcapFileHeader.LENGTH;
            for (Packet p : bursty ? bursts(file) : file) {
                byte[] f = frame(p);
                MemorySegment s = MemorySegment.ofArray(f);
                builder.add(offset, offset, s, 0, f.length);
                offset += 16 + f.length;
                matches |= filter.matches(s, 0, f.length, f.length);
                tagged |= p.vlan();
            }
            if (manyHosts) { // past the exact sets' limit: a Bloom filter
                for (int i = 0; i < AddressSet.EXACT_LIMIT + 10; i++) {
                    Packet filler = new Packet(4, 0, 0, 47, 0, 0, false);
                    byte[] f = frame(filler);
                    ByteBuffer.wrap(f).putInt(26, 0xC0000000 | i).putInt(30, 0xC0000000 | i);
                    builder.add(offset, offset, MemorySegment.ofArray(f), 0, f.length);
                    offset += 16 + f.length;
                }
            }
            FileIndex built = builder.build(offset);
            FileIndex stored = FileIndex.decode(built.encode());
            for (FileIndex index : List.of(built, stored)) {
                boolean may = summaryQuery.mayMatch(index.summary);
                if (matches) {
                    assertTrue(may, query + " skipped a file with a matching packet: " + file);
                }
                boolean single = !query.contains(" and ") && !query.contains(" or ") && !query.contains("vlan")
                        && !query.contains("not") && !query.startsWith("net") && !query.contains("src") && !query.contains("dst")
                        && !query.contains("tcp port") && !query.contains("udp port")
                        && !query.startsWith("ip proto") && !query.startsWith("ip6 proto"); // the protocol set does not tell IPv4 from IPv6
                if (single && !tagged && !manyHosts && index.summary.addresses.exact()) {
                    assertEquals(matches, may, query + " over " + file);
                }
            }
        }
    }
}
