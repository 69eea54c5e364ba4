package gulp.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static gulp.extract.ExtractCommandTest.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog of a directory: which indexes it reads whole, and that it still checks the others. */
class CatalogTest {
    static CaptureFile named(Catalog catalog, String name) {
        return catalog.files().stream().filter(f -> f.path().getFileName().toString().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void onlyTheFilesOfTheWindowGetTheirWholeIndex(@TempDir Path dir) throws Exception {
        ExtractCommandTest.write(dir.resolve("a.pcap"), BASE + 1, BASE + 2);
        ExtractCommandTest.write(dir.resolve("b.pcap"), BASE + 10, BASE + 20);
        List<String> lines = new ArrayList<>();
        assertEquals(2, Extraction.indexDirectories(List.of(dir), lines::add));
        Catalog catalog = Catalog.of(List.of(dir), BASE + 10, BASE + 11, lines::add);
        CaptureFile a = named(catalog, "a.pcap"), b = named(catalog, "b.pcap");
        assertTrue(a.indexed() && b.indexed());
        assertTrue(a.index().headerOnly(), "outside the window");
        assertFalse(b.index().headerOnly(), "in the window");
        assertEquals(BASE + 1, a.index().minTimestamp);
        assertEquals(BASE + 2, a.index().maxTimestamp);
        assertEquals(List.of(), lines);
    }

    @Test
    void aStaleIndexOutsideTheWindowIsNotUsedSoItsFileIsFoundInTheWindow(@TempDir Path dir) throws Exception {
        ExtractCommandTest.write(dir.resolve("a.pcap"), BASE + 1, BASE + 2);
        assertEquals(1, Extraction.indexDirectories(List.of(dir), line -> { }));
        ExtractCommandTest.write(dir.resolve("a.pcap"), BASE + 100, BASE + 200, BASE + 300); // rewritten: its index is stale
        Extraction extraction = Extraction.prepare(List.of(dir), BASE + 150, BASE + 250, null, false, line -> { });
        assertEquals(1, extraction.chosenCount());
        CaptureFile a = named(Catalog.of(List.of(dir), BASE + 150, BASE + 250, line -> { }), "a.pcap");
        assertFalse(a.indexed());
        assertEquals(BASE + 100, a.index().minTimestamp);
    }
}
