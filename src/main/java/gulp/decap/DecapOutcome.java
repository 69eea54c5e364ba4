package gulp.decap;

/** What {@link Decapsulator#decapsulate} made of one packet. */
public enum DecapOutcome {
    /** The inner frame is described by the {@link DecapResult}. */
    INNER,
    /** Not an encapsulation the decapsulator handles; written unchanged only with keepOther. */
    OTHER,
    /** Encapsulated but malformed, truncated, filtered or unsupported; {@link DecapResult#skipReason()} says why. */
    SKIPPED,
    /** An outer IP fragment kept for reassembly; nothing to write yet. */
    HELD
}
