package org.ipccourse.pool;

import java.util.List;
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

    @Override
    public void beforeAll(ExtensionContext context) {
        pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        pool.close();
    }
}
