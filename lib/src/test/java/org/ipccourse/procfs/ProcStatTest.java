package org.ipccourse.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatTest {
    /** A real line of proc(5)'s format whose thread name holds a space and both parentheses. */
    private static final String LINE = "4242 (C2 a) (b) S 1 4242 4242 0 -1 4194560 3120 0 0 0 "
            + "117 23 0 0 20 0 19 0 98765 3946668032 10563 18446744073709551615 1 1 0 0 0 0 0 "
            + "4096 16796879 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    @Test
    void theFieldsAfterACommandNameWithSpacesAndParenthesesAreCountedFromItsLastParenthesis() {
        ProcStat stat = ProcStat.parse(LINE);
        assertEquals("C2 a) (b", stat.command());
        assertEquals('S', stat.state());
        assertEquals(117, stat.userTicks());
        assertEquals(23, stat.systemTicks());
        assertEquals(98765, stat.startTicks());
        assertEquals(1400, stat.cpuMillis());
        assertFalse(stat.exited());
        assertTrue(ProcStat.parse(LINE.replace(") S 1", ") Z 1")).exited());
    }

    @Test
    void aLineNotInTheFormatIsRejectedWithWhatIsWrong() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("4242 java S 1"));
        assertTrue(none.getMessage().contains("no command name"), none.getMessage());
        IllegalArgumentException shortLine = assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("4242 (java) S 1 2 3"));
        assertTrue(shortLine.getMessage().contains("fields after the command name"), shortLine.getMessage());
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse(LINE.replace(" 117 ", " x ")));
        assertTrue(notNumber.getMessage().contains("\"x\""), notNumber.getMessage());
    }

    @Test
    void anUnreadableOrMalformedFileIsUnknownNotAnError(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), ProcStat.read(dir.resolve("missing")));
        Files.writeString(dir.resolve("stat"), "garbage");
        assertEquals(Optional.empty(), ProcStat.read(dir.resolve("stat")));
        Files.writeString(dir.resolve("stat"), LINE);
        assertEquals(Optional.of(ProcStat.parse(LINE)), ProcStat.read(dir.resolve("stat")));
    }

    @Test
    void thisJvmIsReadAsALiveProcessThatStartedAfterBootOrIsUnknownWithoutProc() {
        if (!Files.isDirectory(Path.of("/proc/self"))) { // macOS: unknown, which callers handle
            assertEquals(Optional.empty(), ProcStat.ofProcess(ProcessHandle.current().pid()));
            return;
        }
        ProcStat self = ProcStat.ofProcess(ProcessHandle.current().pid()).orElseThrow();
        assertFalse(self.exited());
        assertTrue(self.startTicks() > 0, self.toString());
        assertTrue(self.userTicks() + self.systemTicks() > 0, self.toString());
        assertEquals(Optional.empty(), ProcStat.ofProcess(Long.MAX_VALUE));
    }
}
