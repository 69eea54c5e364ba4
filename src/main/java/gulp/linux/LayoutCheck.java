package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Start-up self-check of the descriptors: the hand-written offset constants (used on the hot path)
 * must agree with the FFM layout built from the C declaration, or gulp refuses to start.
 */
final class LayoutCheck {
    private LayoutCheck() {
    }

    static void offset(StructLayout layout, String field, long expected) {
        long actual = layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
        if (actual != expected) {
            throw new IllegalStateException(layout.name().orElse("struct") + "." + field + " is at " + actual
                    + ", the constant says " + expected);
        }
    }

    static void size(StructLayout layout, long expected) {
        if (layout.byteSize() != expected) {
            throw new IllegalStateException(layout.name().orElse("struct") + " is " + layout.byteSize()
                    + " bytes, the constant says " + expected);
        }
    }
}
