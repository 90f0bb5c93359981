package org.ipccourse.pool;

/**
 * What a worker that serves a notebook kernel rewrites and rebuilds in its warm-up, as it will
 * its first cell class ({@link WarmUp#cells}): a class with a lambda that captures an int. It
 * refers to public types only, because the warm-up defines its rewritten copy in a class loader
 * of its own.
 */
final class WarmUpCell {
    private WarmUpCell() {
    }

    static SerializableCallable<Integer> task(int k) {
        return () -> k;
    }
}
