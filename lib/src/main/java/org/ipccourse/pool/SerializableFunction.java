package org.ipccourse.pool;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that can be sent to a worker JVM, as used by {@link ProcessPool#map}. A lambda
 * or method reference with this target type is serializable if everything it captures is.
 *
 * <pre>{@code
 * List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 * }</pre>
 *
 * @param <T> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}
