package gulp.decap;

/** Encapsulations the decapsulator can remove; {@link #commandLineName()} is the {@code --decap} spelling. */
public enum EncapKind {
    /** Cisco ERSPAN type I, II and III (GRE 0x88BE and 0x22EB). */
    ERSPAN("erspan"),
    /** GRE transparent Ethernet bridging (0x6558): Linux gretap, Open vSwitch, NVGRE. */
    GRE("gre"),
    /** VXLAN over UDP (and VXLAN-GPE carrying Ethernet or IP). */
    VXLAN("vxlan"),
    /** Geneve over UDP. */
    GENEVE("geneve");

    private final String commandLineName;

    EncapKind(String commandLineName) { this.commandLineName = commandLineName; }

    public String commandLineName() { return commandLineName; }
}
