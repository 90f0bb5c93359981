package org.ipccourse.pool;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of one task sent to a worker. Cancelling it removes a queued task or tells the
 * worker to interrupt a running one; a thread interrupted while waiting in {@link #get} cancels
 * the task, so an interrupted notebook cell does not leave a worker computing.
 *
 * <p>Only {@link #cancel} cancels it. A task that itself throws a {@link CancellationException}
 * or a {@link CompletionException} fails with it, as a {@code FutureTask} would: {@code get}
 * throws an {@link ExecutionException} whose cause is exactly what the task threw, and
 * {@code isCancelled()} stays false ({@link #completeExceptionally}).
 */
final class TaskFuture<T> extends CompletableFuture<T> {
    final long id;
    /** The task as submitted, handed back by {@code shutdownNow} if it never started. */
    final Object task;
    final ChunkedBytes payload;
    /** Loaders that may know the task's classes: for answering CLASS_REQUEST and reading the result. */
    final List<ClassLoader> loaders;
    /** A chunk of {@code map} or {@code imap}: nobody waits for it alone. */
    final boolean chunk;
    /** How many tasks its worker may hold, this one included. */
    final int prefetch;
    private final Scheduler scheduler;
    volatile WorkerHandle worker; // written under the scheduler's lock
    boolean takeBackAsked; // guarded by the scheduler
    /** Written to its worker's pipe (by the thread that flushed the worker's outbox). */
    volatile boolean delivered;
    /** When its frame was written ({@link System#nanoTime}), for {@link PipeReader#answeredAfter}. */
    volatile long sentAt;

    TaskFuture(Scheduler scheduler, long id, Object task, ChunkedBytes payload, List<ClassLoader> loaders, boolean chunk,
               int prefetch) {
        this.scheduler = scheduler;
        this.chunk = chunk;
        this.prefetch = prefetch;
        this.id = id;
        this.task = task;
        this.payload = payload;
        this.loaders = loaders;
    }

    /**
     * As {@link CompletableFuture#cancel}: true if this future is now cancelled, also when it
     * already was (a {@code FutureTask} would say false then). Only the first cancel reaches the
     * scheduler, which removes the queued task or stops the running one.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean already = isCancelled();
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && !already) {
            scheduler.cancelled(this, mayInterruptIfRunning);
            WorkerHandle w = worker;
            if (w != null) {
                w.reader.wake(); // a caller blocked reading for it is woken through the worker
            }
        }
        return cancelled;
    }

    /**
     * Fails this future with {@code ex}: what its task threw, or why it could not run. A
     * {@link CancellationException} or {@link CompletionException} is wrapped in one more
     * {@code CompletionException}, because {@code CompletableFuture} would otherwise take the first
     * for a cancellation of this future and report the second's cause instead of it; wrapped,
     * {@code get} reports {@code ex} itself as the cause of its {@code ExecutionException}, and
     * {@code join} and dependent stages see {@code CompletionException(ex)}, as they would after
     * {@code supplyAsync}. To cancel, call {@link #cancel}.
     */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        Objects.requireNonNull(ex, "ex must not be null");
        boolean ambiguous = ex instanceof CancellationException || ex instanceof CompletionException;
        return super.completeExceptionally(ambiguous ? new CompletionException(ex) : ex);
    }

    /**
     * Cancels this future for the pool ({@code shutdownNow}, a pool that stopped): it is then
     * {@linkplain #isCancelled cancelled}, its {@code CancellationException} says {@code why},
     * and no CANCEL is sent (the pool has settled the task itself).
     */
    boolean cancelByPool(String why) {
        return super.completeExceptionally(new CancellationException(why));
    }

    @Override
    public T join() {
        awaitAnswer();
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        awaitAnswer();
        try {
            return super.get();
        } catch (InterruptedException | Error e) {
            cancel(true);
            throw e;
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        wakeReader();
        try {
            return super.get(timeout, unit);
        } catch (InterruptedException | Error e) {
            cancel(true);
            throw e;
        }
    }

    /** A dependent stage is being attached: the answer should be read even if nobody calls {@code get}. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        wakeReader();
        return new CompletableFuture<>();
    }

    private void wakeReader() {
        WorkerHandle w = worker;
        if (w != null && !isDone()) {
            w.reader.wake();
        }
    }

    /**
     * Before waiting the usual way: reads the worker's answer on this thread when this is the
     * worker's only task ({@link PipeReader#readFor}), else spins briefly.
     */
    private void awaitAnswer() {
        WorkerHandle w = worker;
        if (!isDone() && (w == null || !w.reader.readFor(this))) {
            spinBriefly();
        }
    }

    /**
     * Waits up to {@link Timing#CALLER_SPIN_NANOS} without parking when another CPU is free to run the worker
     * and its last answer came quickly ({@link PipeReader#answersQuickly}): a short task's answer
     * then finds this thread awake, which saves waking it up, the largest part of a short round
     * trip when it crosses CPUs.
     */
    private void spinBriefly() {
        WorkerHandle w = worker;
        if (Timing.CALLER_SPIN_NANOS > 0 && !isDone() && (w == null || w.reader.answersQuickly())) {
            long end = System.nanoTime() + Timing.CALLER_SPIN_NANOS;
            while (!isDone() && System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public String toString() {
        return "task " + id + " " + super.toString();
    }
}
