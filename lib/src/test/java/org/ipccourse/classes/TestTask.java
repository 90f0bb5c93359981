package org.ipccourse.classes;

import java.io.Serializable;
import java.util.concurrent.Callable;

/** A serializable task type for cells, standing in for the pool's. */
public interface TestTask<T> extends Callable<T>, Serializable {
}
