package org.ipccourse.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedCounterTest {
    private static final int PER_PROCESS = 2_000_000;

    @Test
    void plainIncrementsFromTwoProcessesLoseUpdates() throws Exception {
        try (SharedCounter counter = SharedCounter.create()) {
            runTwoChildren("count", ChildJvm.encode(counter), PER_PROCESS, "plain");
            System.out.println("plain increments from 2 processes: " + counter.get() + " of "
                    + 2L * PER_PROCESS);
            assertTrue(counter.get() < 2L * PER_PROCESS,
                    "expected lost updates from unlocked read-modify-write, got all " + counter.get());
        }
    }

    @Test
    void atomicIncrementsFromTwoProcessesLoseNone() throws Exception {
        try (SharedCounter counter = SharedCounter.create()) {
            runTwoChildren("count", ChildJvm.encode(counter), PER_PROCESS, "atomic");
            assertEquals(2L * PER_PROCESS, counter.get());
        }
    }

    @Test
    void lockedIncrementsFromTwoProcessesLoseNone() throws Exception {
        try (SharedCounter counter = SharedCounter.create()) {
            runTwoChildren("count", ChildJvm.encode(counter), 20_000, "locked");
            counter.incrementLocked();
            assertEquals(2L * 20_000 + 1, counter.get());
        }
    }

    @Test
    void anOwnerCounterCountsEveryUpdateFromOtherProcesses() throws Exception {
        try (OwnerCounter counter = OwnerCounter.create()) {
            runTwoChildren("owner", ChildJvm.encode(counter), 5_000, "");
            counter.increment();
            assertEquals(10_001, counter.get());
        }
    }

    @Test
    void aClosedOwnerCounterLeavesNoSocketFile() throws Exception {
        OwnerCounter counter = OwnerCounter.create();
        String encoded = ChildJvm.encode(counter);
        counter.close();
        try (var files = Files.list(SegmentFiles.directory())) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".sock") && p.getFileName()
                    .toString().startsWith(SegmentFiles.PREFIX + ProcessHandle.current().pid() + "-")));
        }
        OwnerCounter copy = (OwnerCounter) ChildJvm.decode(encoded);
        assertThrows(IllegalStateException.class, copy::increment);
    }

    @Test
    void aClosedSharedCounterRefusesIncrements() {
        SharedCounter counter = SharedCounter.create();
        counter.close();
        assertThrows(IllegalStateException.class, counter::incrementAtomic);
    }

    private static void runTwoChildren(String mode, String handle, int n, String how) throws Exception {
        Process a = ChildJvm.start(mode, handle, Integer.toString(n), how);
        Process b = ChildJvm.start(mode, handle, Integer.toString(n), how);
        for (Process p : new Process[] {a, b}) {
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(
                    p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine());
        }
        for (Process p : new Process[] {a, b}) {
            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
        }
        assertTrue(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, a.exitValue());
        assertEquals(0, b.exitValue());
    }
}
