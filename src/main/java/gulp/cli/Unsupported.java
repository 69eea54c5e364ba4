package gulp.cli;

import gulp.run.Options;

/** Options that are parsed but whose feature is not in this build yet: refused with one line. */
final class Unsupported {
    private Unsupported() {
    }

    static String check(Options o) {
        return null;
    }
}
