package org.ipccourse.pool;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to a worker JVM of a {@link ProcessPool}. A lambda whose
 * target type is this interface is serializable, provided everything it captures is.
 *
 * <pre>{@code
 * SerializableCallable<Long> pid = () -> ProcessHandle.current().pid();
 * long workerPid = pool.submit(pid).get();
 * }</pre>
 *
 * @param <V> the result type, which must be serializable too
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
