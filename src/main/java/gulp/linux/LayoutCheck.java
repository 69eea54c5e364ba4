package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Start-up self-check of the descriptors: each one states a struct twice, as offset constants
 * (used on the hot path) and as an FFM layout whose field types, order and padding are written
 * out to mirror the C declaration, and the two must agree or gulp refuses to start. Both sides are
 * ours, transcribed from the kernel and C library headers: this catches an arithmetic slip between
 * them (a constant miscounted, padding forgotten), not a transcription that is wrong on both
 * sides. The C side is checked by the tests that meet the real kernel (sockets, rings, statx).
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
