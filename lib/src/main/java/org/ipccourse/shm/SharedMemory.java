package org.ipccourse.shm;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;

/**
 * The shared segments that belong to one pool: every segment allocated here is released when the
 * scope is closed or, at the latest, about half a second after the pool has shut down, whichever
 * comes first. Use one scope per pool in a notebook so that closing the pool cleans /dev/shm too.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.newProcessPool(2);
 *      SharedMemory shm = SharedMemory.of(pool)) {
 *     SharedSegment seg = shm.allocate(800_000_000L);
 *     ...
 * }
 * }</pre>
 *
 * <p>Costs: nothing beyond the segments; the pool is checked by the one sweeper thread this
 * package runs per JVM.
 */
public final class SharedMemory implements AutoCloseable {
    private final ExecutorService pool;
    private final List<SharedSegment> segments = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private SharedMemory(ExecutorService pool) {
        this.pool = pool;
    }

    /** A scope whose segments live no longer than {@code pool}. */
    public static SharedMemory of(ExecutorService pool) {
        Objects.requireNonNull(pool, "pool");
        if (pool.isShutdown()) {
            throw new IllegalStateException("the pool is already shut down; create a new pool"
                    + " before allocating shared memory for it");
        }
        Registry.start();
        SharedMemory scope = new SharedMemory(pool);
        Registry.SCOPES.add(scope);
        return scope;
    }

    /**
     * A new segment of {@code bytes} bytes, released with this scope.
     *
     * @throws IllegalStateException if the scope is closed or its pool shut down
     */
    public SharedSegment allocate(long bytes) {
        if (closed || pool.isShutdown()) {
            close();
            throw new IllegalStateException("this shared-memory scope is closed (its pool "
                    + (pool.isShutdown() ? "has shut down" : "is still open") + "); open a new one");
        }
        SharedSegment segment = SharedSegment.create(bytes);
        segments.add(segment);
        if (closed) { // closed concurrently: do not leak the new file
            segment.release();
            throw new IllegalStateException("this shared-memory scope was closed meanwhile");
        }
        return segment;
    }

    /** Segments allocated here and not yet released. */
    public int liveSegments() {
        segments.removeIf(SharedSegment::isReleased);
        return segments.size();
    }

    /** Releases every segment allocated here. */
    @Override
    public void close() {
        closed = true;
        Registry.SCOPES.remove(this);
        for (SharedSegment segment : segments) {
            segment.release();
        }
        segments.clear();
    }

    void closeIfPoolShutDown() {
        if (pool.isShutdown()) {
            close();
        }
    }
}
