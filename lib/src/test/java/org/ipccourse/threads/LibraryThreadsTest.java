package org.ipccourse.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.ipccourse.classes.CellInterrupts;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.shm.SharedSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The library's background threads stay out of the group of the thread that starts them: JShell's
 * local execution waits for every live thread of its snippets' group after it starts a snippet,
 * so a thread a cell left there for good made a later cell hang (seen in RerunPoolCellTest).
 */
@Timeout(120)
class LibraryThreadsTest {
    @Test
    void aPoolASegmentAndACellLoopCheckStartedFromAGroupLeaveNoThreadInIt() throws Exception {
        ThreadGroup cells = new ThreadGroup("a notebook's cells");
        AtomicReference<ProcessPool> pool = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread cell = new Thread(cells, () -> {
            try {
                ProcessPool p = ProcessPool.newProcessPool(1);
                pool.set(p);
                p.submit(() -> 1).get();
                p.submit(() -> { Thread.sleep(20); return 2; }).get(); // long enough for the reader thread to read
                try (SharedSegment s = SharedSegment.create(64)) {
                    s.buffer().putInt(0, 1);
                }
                CellInterrupts.check();
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "cell");
        cell.start();
        cell.join();
        try {
            assertEquals(null, failed.get(), "the cell failed");
            Thread[] live = new Thread[32];
            int n = cells.enumerate(live);
            List<String> names = new ArrayList<>();
            Arrays.stream(live, 0, n).forEach(t -> names.add(t.getName()));
            assertEquals(List.of(), names, "threads left in the cell's group");
            long pid = pool.get().workerPids().get(0);
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith("ipc-pool-reader"))
                            .allMatch(t -> t.getThreadGroup() == LibraryThreads.group()),
                    "every pool's reader thread should be in the library's group (worker " + pid + ")");
        } finally {
            if (pool.get() != null) {
                pool.get().close();
            }
        }
    }
}
