package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;

/** Starts the miniature kernel for tests: cells compile against the library and the test classes. */
final class TestCells {
    private TestCells() {
    }

    static List<String> classPath() {
        return List.of(CellShell.location(ClassBytes.class), CellShell.location(TestTask.class));
    }

    static CellShell start() {
        return new CellShell(classPath());
    }

    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual), what);
    }
}
