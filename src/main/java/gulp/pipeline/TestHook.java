package gulp.pipeline;

/**
 * Test hook, read once at start-up and never on the data path: {@code -Dgulp.test.crash=reader}
 * makes the reader thread die of an {@link AssertionError} right after its input ends (the ring
 * still full of unwritten records), {@code =writer} the writer before its first write. Nothing in
 * a real run throws an Error on demand, and a crashing thread must be testable end to end.
 */
final class TestHook {
    private static final String CRASH = System.getProperty("gulp.test.crash", "");
    static final boolean READER_CRASHES = CRASH.equals("reader");
    static final boolean WRITER_CRASHES = CRASH.equals("writer");

    private TestHook() {
    }

    static AssertionError crash() {
        return new AssertionError("gulp.test.crash=" + CRASH);
    }
}
