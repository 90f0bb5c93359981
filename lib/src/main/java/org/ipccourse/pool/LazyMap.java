package org.ipccourse.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
 * chunks submitted and not yet consumed, submitting the next chunk as one is consumed. Costs one
 * future per chunk and, unordered, one completion callback per chunk.
 *
 * <p>Failures follow Python's {@code Pool.imap}, adapted to chunks:
 * <ul>
 * <li>A chunk whose task failed makes one {@code next()} throw a {@link CompletionException} with
 *     the task's exception as its cause, where the chunk's results would have come (its results
 *     are lost: with chunk size 1, that element's); the following {@code next()} goes on with the
 *     next chunk, and nothing else is cancelled.</li>
 * <li>An exception from the input iterator (or from submitting a chunk, such as an input that
 *     cannot be serialized) is thrown as is by {@code next()} after every result of the inputs
 *     read before it, including those of the partly filled chunk; then the iteration ends, since
 *     the input iterator cannot be trusted to go on.</li>
 * <li>An interrupted {@code next()} cancels the chunks in flight and ends the iteration, as does
 *     a chunk cancelled by someone else (its {@link CancellationException} is thrown).</li>
 * </ul>
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
    private Iterator<R> current = Collections.emptyIterator();
    /** What the input iterator (or a submit) threw; thrown once the chunks before it are consumed. */
    private Throwable inputFailure;
    /** No more inputs are read: they ran out, one failed, or the iteration was stopped. */
    private boolean inputsDone;

    LazyMap(ProcessPool pool, SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs,
            int chunkSize, int readAhead, boolean ordered) {
        this.pool = pool;
        this.fn = ChunkTask.Fn.of(fn, pool.notebookEpoch());
        this.inputs = inputs.iterator();
        this.chunkSize = chunkSize;
        this.readAhead = readAhead;
        this.ordered = ordered;
        fill();
    }

    private void fill() {
        while (!inputsDone && inFlight.size() < readAhead) {
            List<T> chunk = new ArrayList<>(chunkSize);
            try {
                while (chunk.size() < chunkSize && inputs.hasNext()) {
                    chunk.add(inputs.next());
                }
            } catch (RuntimeException | Error e) {
                inputFailure = e;
            }
            inputsDone = inputFailure != null || chunk.size() < chunkSize || !hasMoreInputs();
            if (!chunk.isEmpty()) {
                submit(chunk);
            }
        }
    }

    /** Whether the input iterator has more, recording its exception as the input failure. */
    private boolean hasMoreInputs() {
        try {
            return inputs.hasNext();
        } catch (RuntimeException | Error e) {
            inputFailure = e;
            return false;
        }
    }

    private void submit(List<T> chunk) {
        CompletableFuture<List<R>> f;
        try {
            f = pool.<T, R>submitChunk(fn, chunk, Scheduler.PREFETCH);
        } catch (RuntimeException | Error e) {
            if (inputFailure == null) {
                inputFailure = e;
            }
            inputsDone = true;
            return;
        }
        inFlight.add(f);
        if (!ordered) {
            f.whenComplete((r, e) -> completed.add(f));
        }
    }

    @Override
    public boolean hasNext() {
        return current.hasNext() || !inFlight.isEmpty() || inputFailure != null;
    }

    @Override
    public R next() {
        while (!current.hasNext()) {
            if (inFlight.isEmpty()) {
                Throwable failure = inputFailure;
                if (failure == null) {
                    throw new NoSuchElementException();
                }
                inputFailure = null;
                if (failure instanceof Error err) {
                    throw err;
                }
                throw (RuntimeException) failure;
            }
            CompletableFuture<List<R>> f;
            try {
                f = ordered ? inFlight.peek() : completed.take();
                List<R> results;
                try {
                    results = f.get();
                } finally {
                    if (f.isDone()) {
                        inFlight.remove(f);
                    }
                }
                current = results.iterator();
            } catch (InterruptedException e) {
                stop();
                throw Scheduler.interrupted("imap");
            } catch (ExecutionException e) {
                fill();
                throw new CompletionException(e.getCause());
            } catch (CancellationException | Error e) { // Error: ThreadDeath when a notebook cell is stopped
                stop();
                throw e;
            }
            fill();
        }
        return current.next();
    }

    /** Cancels the chunks in flight and reads no more inputs. */
    private void stop() {
        inFlight.forEach(x -> x.cancel(true));
        inFlight.clear();
        inputsDone = true;
        inputFailure = null;
    }
}
