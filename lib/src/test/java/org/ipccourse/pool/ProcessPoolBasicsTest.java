package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProcessPoolBasicsTest {
    static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Test
    void submitRunsTheTaskInAnotherProcess() throws Exception {
        CompletableFuture<Long> pid = pool.submit(() -> ProcessHandle.current().pid());
        long workerPid = pid.get();
        assertNotEquals(ProcessHandle.current().pid(), workerPid);
        assertTrue(pool.workerPids().contains(workerPid), "the pid should be one of the pool's workers");
    }
}
