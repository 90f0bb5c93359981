package org.ipccourse.pool;

import java.io.Serializable;

/**
 * A {@link Runnable} that can be sent to a worker JVM: a task without a result, or a pool's
 * per-worker initializer.
 *
 * <pre>{@code
 * ProcessPool pool = ProcessPool.builder().initializer(() -> System.setProperty("role", "worker")).build();
 * }</pre>
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
