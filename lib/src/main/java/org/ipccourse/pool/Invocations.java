package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code invokeAll} and {@code invokeAny} over futures already submitted to a pool. */
final class Invocations {
    private Invocations() {
    }

    /**
     * Waits until every future is done or one has failed. The waiting thread parks once, not
     * once per future: with many short tasks, each wake-up of the waiter would cost about as much
     * as a task.
     */
    static void awaitAllOrAFailure(List<? extends CompletableFuture<?>> futures) throws InterruptedException {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(futures.size());
        for (CompletableFuture<?> f : futures) {
            f.whenComplete((r, e) -> {
                if (e != null || left.decrementAndGet() == 0) {
                    settled.complete(null);
                }
            });
        }
        if (!futures.isEmpty()) {
            try {
                settled.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // never: settled only completes normally
            }
        }
    }

    /** Waits for all; on timeout, interruption or error cancels the unfinished ones. */
    static <T> List<Future<T>> all(List<CompletableFuture<T>> futures, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        try {
            for (Future<T> f : futures) {
                try {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // reported through the future
                }
            }
        } catch (TimeoutException e) {
            futures.forEach(f -> f.cancel(true));
        } catch (InterruptedException | RuntimeException | Error e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        return new ArrayList<>(futures);
    }

    /** The first successful result; cancels the rest whatever happens. */
    static <T> T any(List<CompletableFuture<T>> futures, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = System.nanoTime() + nanos;
        ExecutionException last = null;
        try {
            Iterator<CompletableFuture<T>> done = ProcessPool.completionOrder(futures).iterator();
            while (done.hasNext()) {
                CompletableFuture<T> f = done.next();
                try {
                    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    last = e;
                }
                if (deadline - System.nanoTime() <= 0) {
                    throw new TimeoutException("no task of invokeAny completed successfully in time");
                }
            }
            throw last;
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }
}
