package gulp;

/** gulp's version, for {@code -v}, file headers (pcapng {@code shb_userappl}) and metrics; depends on nothing. */
public final class Version {
    public static final String NUMBER = "2.0.0";

    private Version() {
    }
}
