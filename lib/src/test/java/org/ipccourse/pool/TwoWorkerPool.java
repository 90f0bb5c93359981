package org.ipccourse.pool;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A pool of two small workers shared by the tests of one class: started before the first test,
 * closed after the last. Register it as {@code @RegisterExtension static final TwoWorkerPool
 * POOL = new TwoWorkerPool();} and use {@link #pool()}.
 */
public final class TwoWorkerPool implements BeforeAllCallback, AfterAllCallback {
    private ProcessPool pool;

    /** The running pool. */
    public ProcessPool pool() {
        return pool;
    }

    /**
     * Asserts that both workers answer a map of four tasks within 3 s: nothing is left running
     * from before (a task a test cancelled, or left behind by a call that threw).
     */
    public void assertWorkersFree() {
        long start = System.nanoTime();
        List<Integer> r = pool.map(x -> x + 1, List.of(1, 2, 3, 4), 1);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (!r.equals(List.of(2, 3, 4, 5)) || ms >= 3000) {
            throw new AssertionError("the workers should be free, earlier tasks cancelled; a map of 4 gave " + r
                    + " in " + ms + " ms");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        pool.close();
    }
}
