package org.ipccourse.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The iterator behind {@code imap} and {@code imapUnordered}: keeps at most {@code readAhead}
 * chunks submitted and not yet consumed, submitting the next chunk as one is consumed. An
 * interrupted {@code next()} cancels the chunks in flight.
 */
final class LazyMap<T, R> implements Iterator<R> {
    private final ProcessPool pool;
    private final ChunkTask.Fn fn;
    private final Iterator<? extends T> inputs;
    private final int chunkSize;
    private final int readAhead;
    private final boolean ordered;
    private final ArrayDeque<CompletableFuture<List<R>>> inFlight = new ArrayDeque<>();
    private final LinkedBlockingQueue<CompletableFuture<List<R>>> completed = new LinkedBlockingQueue<>();
    private Iterator<R> current = java.util.Collections.emptyIterator();

    LazyMap(ProcessPool pool, SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs,
            int chunkSize, int readAhead, boolean ordered) {
        this.pool = pool;
        this.fn = ChunkTask.Fn.of(fn);
        this.inputs = inputs.iterator();
        this.chunkSize = chunkSize;
        this.readAhead = readAhead;
        this.ordered = ordered;
        fill();
    }

    private void fill() {
        while (inFlight.size() < readAhead && inputs.hasNext()) {
            List<T> chunk = new ArrayList<>(chunkSize);
            while (chunk.size() < chunkSize && inputs.hasNext()) {
                chunk.add(inputs.next());
            }
            CompletableFuture<List<R>> f = pool.<T, R>submitChunk(fn, chunk, Scheduler.PREFETCH);
            inFlight.add(f);
            if (!ordered) {
                f.whenComplete((r, e) -> completed.add(f));
            }
        }
    }

    @Override
    public boolean hasNext() {
        return current.hasNext() || !inFlight.isEmpty();
    }

    @Override
    public R next() {
        while (!current.hasNext()) {
            if (inFlight.isEmpty()) {
                throw new NoSuchElementException();
            }
            CompletableFuture<List<R>> f;
            try {
                f = ordered ? inFlight.peek() : completed.take();
                List<R> results = f.get();
                inFlight.remove(f);
                current = results.iterator();
            } catch (InterruptedException e) {
                inFlight.forEach(x -> x.cancel(true));
                inFlight.clear();
                throw Scheduler.interrupted("imap");
            } catch (ExecutionException e) {
                inFlight.forEach(x -> x.cancel(true));
                inFlight.clear();
                throw new CompletionException(e.getCause());
            } catch (CancellationException | Error e) { // Error: ThreadDeath when a notebook cell is stopped
                inFlight.forEach(x -> x.cancel(true));
                inFlight.clear();
                throw e;
            }
            fill();
        }
        return current.next();
    }
}
