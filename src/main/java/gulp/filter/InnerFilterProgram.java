package gulp.filter;

import gulp.decap.EthernetHeader;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.UdpHeader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static gulp.filter.Bpf.*;

/**
 * Builds the kernel socket filter for {@code -f EXPR} with {@code -d}: the filter applies to the
 * INNER frame of remote-capture encapsulations.
 *
 * <pre>
 *   for each shape:   len >= shape.minimumLength, outer byte checks, [IPv4 length == len - 14]
 *                     all hold -> ja to the inner filter relocated by shape.innerOffset
 *   otherwise, if passUnknownEncapsulationToUser:
 *                     any IPv4 GRE, IPv4 UDP (first fragment) to a shape's port, IPv6 next header
 *                     GRE/UDP-to-such-port/extension header, or a frame still VLAN-tagged after
 *                     the kernel removed one tag -> ret #0xffffffff (user space decides)
 *   everything else:  ret #0
 *   inner filter relocated once per distinct inner offset
 * </pre>
 * A packet of a fixed shape therefore gets exactly the verdict of the inner filter on its inner
 * frame (a kept length grows by the outer header length).
 */
public final class InnerFilterProgram {
    private InnerFilterProgram() {}

    /** Verdict for packets handed whole to user space. */
    public static final int ACCEPT_WHOLE = 0xffffffff;

    /** The TPIDs {@link EthernetHeader#isVlanTpid} names, each a jump of the program. */
    private static final int[] VLAN_TPIDS = {EthernetHeader.TYPE_VLAN, EthernetHeader.TYPE_QINQ, EthernetHeader.TYPE_QINQ_LEGACY};
    private static final int[] IPV6_EXTENSION_HEADERS = {Ipv6Header.HOP_BY_HOP, Ipv6Header.ROUTING, Ipv6Header.FRAGMENT,
            Ipv6Header.DESTINATION_OPTIONS};

    public static BpfProgram build(BpfProgram innerFilter, List<EncapShape> shapes,
                                   boolean passUnknownEncapsulationToUser) throws FilterException {
        BpfAssembler asm = new BpfAssembler();
        Map<Integer, BpfAssembler.Label> relocated = new LinkedHashMap<>();
        for (EncapShape shape : shapes) {
            relocated.computeIfAbsent(shape.innerOffset(), off -> asm.newLabel());
        }
        BpfAssembler.Label accept = asm.newLabel(), drop = asm.newLabel();

        for (EncapShape shape : shapes) {
            BpfAssembler.Label nextShape = asm.newLabel();
            asm.ldLen().jge(shape.minimumLength(), null, nextShape);
            for (EncapShape.ByteCheck check : shape.checks()) {
                switch (check.size()) {
                    case 1 -> asm.ldb(check.offset());
                    case 2 -> asm.ldh(check.offset());
                    default -> asm.ld(check.offset());
                }
                if (check.mask() != (int) EncapShape.ByteCheck.fullMask(check.size())) asm.and(check.mask());
                asm.jeq(check.value(), null, nextShape);
            }
            if (shape.ipv4TotalLengthFillsFrame()) {
                asm.ldh(EncapShape.IPV4_TOTAL_LENGTH_OFFSET).insn(ALU | ADD | K, EthernetHeader.LENGTH).insn(MISC | TAX, 0)
                        .ldLen().jump(JMP | JEQ | X, 0, null, nextShape);
            }
            asm.ja(relocated.get(shape.innerOffset()));
            asm.bind(nextShape);
        }

        if (passUnknownEncapsulationToUser) {
            emitUnknownEncapsulation(asm, shapes, accept, drop);
            asm.bind(accept).ret(ACCEPT_WHOLE);
        }
        asm.bind(drop).ret(0);

        for (Map.Entry<Integer, BpfAssembler.Label> entry : relocated.entrySet()) {
            asm.bind(entry.getValue());
            BpfRelocator.emitRelocated(asm, innerFilter, entry.getKey());
        }
        BpfProgram program = asm.assemble();
        if (program.length() > MAX_INSNS) {
            throw new FilterException("the filter is too long for " + shapes.size()
                    + " encapsulations in the kernel (" + program.length() + " > " + MAX_INSNS + " instructions)");
        }
        return program;
    }

    private static void emitUnknownEncapsulation(BpfAssembler asm, List<EncapShape> shapes,
                                                 BpfAssembler.Label accept, BpfAssembler.Label drop) {
        Set<Integer> udpPorts = new LinkedHashSet<>();
        for (EncapShape shape : shapes) {
            if (shape.outerUdpDestinationPort() != 0) udpPorts.add(shape.outerUdpDestinationPort());
        }
        BpfAssembler.Label ipv4 = asm.newLabel(), ipv6 = asm.newLabel(), notIpv6 = asm.newLabel();
        asm.ldh(EthernetHeader.ETHERTYPE_OFFSET)
                .jeq(EthernetHeader.TYPE_IPV4, ipv4, null)
                .jeq(EthernetHeader.TYPE_IPV6, ipv6, notIpv6)
                .bind(notIpv6);
        for (int i = 0; i < VLAN_TPIDS.length; i++) {
            asm.jeq(VLAN_TPIDS[i], accept, i == VLAN_TPIDS.length - 1 ? drop : null);
        }

        asm.bind(ipv4).ldb(EncapShape.IPV4_PROTOCOL_OFFSET);
        if (udpPorts.isEmpty()) {
            asm.jeq(Ipv4Header.PROTOCOL_GRE, accept, drop);
        } else {
            asm.jeq(Ipv4Header.PROTOCOL_GRE, accept, null).jeq(Ipv4Header.PROTOCOL_UDP, null, drop)
                    // Later fragments carry no UDP header to check: user space reassembles them.
                    .ldh(EncapShape.IPV4_FLAGS_FRAGMENT_OFFSET).jset(Ipv4Header.FRAGMENT_OFFSET_MASK, accept, null)
                    // X = the IPv4 header's length; the UDP header follows it.
                    .insn(LDX | B | MSH, EncapShape.IPV4_VERSION_IHL_OFFSET)
                    .insn(LD | H | IND, EthernetHeader.LENGTH + UdpHeader.DESTINATION_PORT_OFFSET); // X: the IPv4 header's length
            emitPortChecks(asm, udpPorts, accept, drop);
        }

        asm.bind(ipv6).ldb(EncapShape.IPV6_NEXT_HEADER_OFFSET).jeq(Ipv4Header.PROTOCOL_GRE, accept, null);
        for (int extension : IPV6_EXTENSION_HEADERS) asm.jeq(extension, accept, null);
        if (udpPorts.isEmpty()) {
            asm.ja(drop);
        } else {
            asm.jeq(Ipv4Header.PROTOCOL_UDP, null, drop).ldh(EncapShape.IPV6_UDP_DESTINATION_PORT_OFFSET);
            emitPortChecks(asm, udpPorts, accept, drop);
        }
    }

    private static void emitPortChecks(BpfAssembler asm, Set<Integer> ports, BpfAssembler.Label accept, BpfAssembler.Label drop) {
        List<Integer> list = new ArrayList<>(ports);
        for (int i = 0; i < list.size(); i++) {
            asm.jeq(list.get(i), accept, i == list.size() - 1 ? drop : null);
        }
    }

    /** The names of the shapes, for the start-up line. */
    public static List<String> shapeNames(List<EncapShape> shapes) {
        return shapes.stream().map(EncapShape::name).toList();
    }
}
