package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.ipccourse.pool.ProcessPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Re-running a cell that creates a pool, and dropping a pool, leave no worker JVMs behind. */
@Timeout(120)
class RerunPoolCellTest {
    @Test
    void runningAPoolCellThreeTimesLeavesTheWorkersOfOnePool() throws Exception {
        try (CellShell cells = TestCells.start()) {
            cells.run("import org.ipccourse.pool.*;");
            List<List<Long>> pids = new ArrayList<>();
            ProcessPool last = null;
            for (int run = 0; run < 3; run++) {
                cells.run("ProcessPool pool2 = ProcessPool.newProcessPool(1);");
                last = cells.value("pool2");
                pids.add(last.workerPids());
            }
            try {
                for (int run = 0; run < 2; run++) {
                    for (long pid : pids.get(run)) {
                        assertTrue(exitsWithin(pid, 10_000), "a worker of run " + (run + 1) + " is still alive: " + pid);
                    }
                }
                for (long pid : pids.get(2)) {
                    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the live pool lost its worker");
                }
                assertEquals(1, (int) cells.<Integer>value("pool2.submit(() -> 1).get()"), "the pool of the last run works");
            } finally {
                last.close();
            }
        }
    }

    @Test
    void aPoolNobodyReachesIsShutDownWhenCollected() throws Exception {
        List<Long> pids = ProcessPool.newProcessPool(1).workerPids();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(exitsWithin(pids.get(0), 1000), "the worker of an unreachable pool is still alive");
    }

    private static boolean exitsWithin(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
