package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The workers' warm-up: the task the owner encodes for it, and a warm-up that yields to a waiting frame. */
class WarmUpTest {
    /** Counts the classes the warm-up's decoding looks up through it. */
    private static final class CountingLoader extends ClassLoader {
        final AtomicInteger lookups = new AtomicInteger();

        CountingLoader() {
            super("counting", WarmUpTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            lookups.incrementAndGet();
            return super.loadClass(name, resolve);
        }
    }

    @Test
    void theTaskTheOwnerEncodesForAWorkerDecodesAndRuns() throws Exception {
        byte[] task = WarmUp.task();
        assertTrue(task.length > Payloads.TASK_HEADER, "the owner encoded no warm-up task");
        Object decoded = new ObjectCodec("").deserialize(task, Payloads.TASK_HEADER, BulkArrays.NONE,
                List.of(getClass().getClassLoader()));
        assertEquals(1, ((Callable<?>) decoded).call());
        assertTrue(WarmUp.cellTask(true).length > Payloads.TASK_HEADER, "no cell warm-up task for a kernel");
        assertEquals(0, WarmUp.cellTask(false).length, "a cell warm-up task for an owner that runs no cells");
    }

    @Test
    void aWorkerSkipsItsWarmUpWhileAFrameWaitsAndDecodesItsTaskOtherwise() {
        CountingLoader waiting = new CountingLoader();
        WarmUp.worker(new ObjectCodec(""), waiting, WarmUp.task(), () -> true);
        assertEquals(0, waiting.lookups.get(), "the warm-up decoded its task although a frame waited");
        CountingLoader idle = new CountingLoader();
        ObjectCodec codec = new ObjectCodec("");
        WarmUp.worker(codec, idle, WarmUp.task(), () -> false);
        assertTrue(idle.lookups.get() > 0, "the warm-up did not decode its task through the worker's loader");
        assertTrue(codec.lambdaForms.forms().get(0).rebuildsDirectly(),
                "the warm-up did not learn how later tasks of its form are rebuilt");
    }

    /**
     * An initializer that runs longer than the worker's take-over time hands the reading of its
     * pipe to the worker's other thread, which then blocks in the read holding the stream's lock;
     * the warm-up's look for a waiting frame must not wait for that lock, or the first task never runs.
     */
    @Test
    void aWorkerWhoseInitializerRunsLongStillRunsItsFirstTasks() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (ProcessPool pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m"))
                    .initializer(() -> {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }).build()) {
                assertEquals(List.of(2, 4, 6, 8), pool.map(x -> x * 2, List.of(1, 2, 3, 4), 1));
                assertEquals(7, pool.submit(() -> 7).get());
            }
        });
    }
}
