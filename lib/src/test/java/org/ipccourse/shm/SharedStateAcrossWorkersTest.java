package org.ipccourse.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipccourse.pool.TwoWorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lecture's shared-state scenarios with real pool workers. */
class SharedStateAcrossWorkersTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();
    @Test
    void plainIncrementsFromTwoWorkersLoseUpdatesAndAtomicOnesDoNot() {
        int n = 5_000_000;
        try (SharedCounter plain = SharedCounter.create();
             SharedCounter atomic = SharedCounter.create();
             SharedCounter gate = SharedCounter.create()) {
            POOL.pool().map(worker -> {
                gate.incrementAtomic();
                while (gate.get() < 2) {
                    Thread.onSpinWait(); // start together, so the increments really overlap
                }
                for (int i = 0; i < n; i++) {
                    plain.incrementPlain();
                    atomic.incrementAtomic();
                }
                return worker;
            }, List.of(0, 1), 1);
            assertEquals(2L * n, atomic.get());
            assertTrue(plain.get() < 2L * n, "expected lost plain updates, got " + plain.get());
        }
    }

    @Test
    void anOwnerCounterUpdatedByWorkersThroughIpcLosesNothing() {
        try (OwnerCounter counter = OwnerCounter.create()) {
            List<Long> last = POOL.pool().map(k -> {
                long v = 0;
                for (int i = 0; i < k; i++) {
                    v = counter.increment();
                }
                return v;
            }, List.of(2_000, 2_000), 1);
            assertEquals(4_000, counter.get());
            assertTrue(last.contains(4_000L), "one worker made the last update: " + last);
        }
    }

    @Test
    void aSegmentCreatedByAWorkerThatIsKilledIsRemoved() throws Exception {
        String path = POOL.pool().submit(() -> {
            SharedSegment s = SharedSegment.create(1 << 16);
            return s.ref().path();
        }).get();
        assertTrue(Files.exists(Paths.get(path)));
        long pid = Long.parseLong(Paths.get(path).getFileName().toString().split("-")[1]);
        assertTrue(POOL.pool().workerPids().contains(pid), "the file names its creator, a worker");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        SharedSegment.create(0).release(); // this JVM's sweeper is running
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Path file = Paths.get(path);
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(file), "the dead worker's segment was swept");
    }
}
