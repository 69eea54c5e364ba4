package gulp.linux;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

class SigActionTest {
    @Test
    void offsetConstantsMatchTheCDeclaration() {
        assertDoesNotThrow(SigAction.Declaration::check);
    }
}
