package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The iterable behind {@link ProcessPool#completionOrder}: futures in the order they complete,
 * each distinct future once however often it was given (as Python's {@code as_completed}, which
 * takes the futures as a set). Futures are told apart by identity. Each iterator costs one
 * completion callback per future.
 */
final class CompletionOrder<T> implements Iterable<CompletableFuture<T>> {
    private final List<CompletableFuture<T>> futures;

    CompletionOrder(Collection<? extends CompletableFuture<T>> futures) {
        this.futures = new ArrayList<>(futures.size());
        var seen = Collections.newSetFromMap(new IdentityHashMap<CompletableFuture<T>, Boolean>());
        for (CompletableFuture<T> f : futures) {
            if (seen.add(java.util.Objects.requireNonNull(f, "futures must not contain null"))) {
                this.futures.add(f);
            }
        }
    }

    @Override
    public Iterator<CompletableFuture<T>> iterator() {
        LinkedBlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        for (CompletableFuture<T> f : futures) {
            f.whenComplete((r, e) -> done.add(f));
        }
        return new Iterator<>() {
            private int returned;

            @Override
            public boolean hasNext() {
                return returned < futures.size();
            }

            @Override
            public CompletableFuture<T> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    CompletableFuture<T> f = done.take();
                    returned++;
                    return f;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException(
                            "interrupted while waiting for the next future to complete");
                }
            }
        };
    }
}
