package org.ipccourse.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecutorService} whose workers are separate JVMs: each task is serialized, sent to a
 * worker process over a pipe, run there, and its result or exception sent back into a
 * {@link CompletableFuture}. Beside the executor methods it offers what Python's
 * {@code multiprocessing.Pool} offers: {@link #map}, lazy {@link #imap}, {@link #imapUnordered} and
 * {@link #completionOrder}. Switching a notebook from threads to processes is one line.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.newProcessPool(2)) {
 *     CompletableFuture<Long> pid = pool.submit(() -> ProcessHandle.current().pid());
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4));
 * }
 * }</pre>
 *
 * <h2>Workers</h2>
 * A pool has a fixed number of workers, by default {@link Runtime#availableProcessors()}. Each is a
 * {@code java} process started from the same JDK as the owner, with the pool's classes and the
 * owner's class path. It runs one task at a time on one thread, and holds at most one more task
 * queued behind it (so it never waits for the pipe between tasks). A worker is replaced after
 * {@link Builder#maxTasksPerWorker} tasks when that is set, and whenever it dies.
 *
 * <h2>Start-up</h2>
 * Creating a pool starts all workers at once and returns when every worker has run the
 * {@linkplain Builder#initializer initializer} and reported ready. Workers start with
 * {@code -Xshare:auto -XX:+UseSerialGC -XX:-UsePerfData}: the JDK's default class-data-sharing
 * archive, the collector that starts fastest and suits a single task thread, and no perf-data
 * file. {@code -XX:TieredStopAtLevel=1} starts a little faster but caps compiled code at C1 and
 * slows every CPU-bound task, so it is not used. Options given to
 * {@link Builder#workerJvmOptions} come after these and win.
 *
 * <h2>Tasks and serialization</h2>
 * Tasks are {@link SerializableCallable}, {@link SerializableRunnable} or
 * {@link SerializableFunction} values, usually lambdas. A task is serialized when it is submitted,
 * so a task that captures something not serializable fails at once, before anything is sent, with
 * an {@link IllegalArgumentException} naming the offending class. A worker that meets a class not on
 * its class path (a class defined in a notebook cell, or by any owner-side class loader) asks the
 * owner for its bytes over the same pipe. Results travel back the same way and must be serializable
 * too; a result that is not fails that task's future with a {@link java.io.NotSerializableException}.
 * Both sides deserialize through a filter that rejects known gadget classes (see
 * {@link org.ipccourse.wire}); {@link Builder#deserializationFilter} adjusts it.
 *
 * <h2>Chunking</h2>
 * {@link #map(SerializableFunction, Collection, int) map} sends inputs in chunks, one task per chunk.
 * Chunk size 1 pays a round trip per input; the default, {@code ceil(n / (4 * workers))} as in
 * Python, pays a handful of round trips in all and still balances load across workers.
 * {@link #imap} takes any {@link Iterable}, keeps at most {@code 2 * workers} chunks in flight, and
 * hands back results as they are consumed.
 *
 * <h2>Failures</h2>
 * An exception thrown by a task surfaces from {@code get()} as an {@link ExecutionException}
 * whose cause is the original exception, with its type, message and the worker's stack frames
 * ({@link RemoteTaskException} stands in when the exception itself cannot be serialized). An
 * {@code OutOfMemoryError} or {@code StackOverflowError} in a task is reported the same way; after
 * an {@code OutOfMemoryError} the worker also retires, as its heap is suspect. A worker that dies
 * (System.exit, kill -9, a native crash) fails only the task it was running, within a second, with a
 * {@link WorkerDiedException} naming the worker, its pid, its exit status and its last words on
 * standard error; the pool starts a replacement and runs the worker's other queued task elsewhere.
 * Python's {@code ProcessPoolExecutor} instead marks itself broken ({@code BrokenProcessPool}) and
 * fails every pending task, because its workers share one queue and a dead worker may have taken
 * any of them; here the owner knows exactly which task each worker holds, so it can blame one task
 * and carry on. An {@linkplain Builder#initializer initializer} that throws fails pool creation (or,
 * for a replacement worker, breaks the pool) with the initializer's exception: no respawn loop.
 *
 * <h2>Cancellation</h2>
 * {@code cancel(true)} on a running task interrupts the task thread in its worker; a task that does
 * not stop within {@link Builder#cancelGracePeriod} (default one second) has its worker killed and
 * replaced. A thread interrupted while blocked in {@code get()} on a future of this pool, or in
 * {@code map}, {@code imap}, {@code invokeAll} or {@code invokeAny}, cancels the tasks it was waiting
 * for; this differs from plain {@code CompletableFuture}, and is what stops workers computing when a
 * notebook cell is interrupted.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown} runs the queued tasks and then closes the workers' standard input, on which they
 * exit; {@link #shutdownNow} cancels everything and kills them; {@link #close} shuts down and waits,
 * as {@code ExecutorService.close()} does on JDK 19+. A worker also exits at once when its owner
 * disappears, even by SIGKILL, because its standard input reaches end of file.
 *
 * <h2>Costs</h2>
 * A worker costs a JVM: tens of megabytes and a start-up of a few hundred milliseconds on the course
 * machines. A task costs two serializations, two pipe writes and a few thread hand-offs: tens of
 * microseconds, of the order of a pipe round trip between two processes, which the benchmark in
 * {@code bench/} measures beside Python's pools. Dependent actions attached with non-async methods
 * ({@code thenApply}) run on the pool's reader thread; use the {@code *Async} variants for slow ones.
 */
public final class ProcessPool implements ExecutorService, AutoCloseable {
    private final Scheduler scheduler;

    private ProcessPool(Builder builder) {
        this.scheduler = new Scheduler(builder);
    }

    /** A pool with one worker per available processor. */
    public static ProcessPool newProcessPool() {
        return builder().build();
    }

    /** A pool with {@code workers} workers (at least 1). */
    public static ProcessPool newProcessPool(int workers) {
        return builder().workers(workers).build();
    }

    /** A builder for a pool with an initializer, a task limit per worker or JVM options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Submits a task; the future completes with its result or the exception it threw. */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        return scheduler.submit(task, loaderOf(task), "the task " + task);
    }

    /** {@inheritDoc} The task must also be {@link java.io.Serializable}. */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        return scheduler.submit(task, loaderOf(task), "the task " + task);
    }

    /** {@inheritDoc} The task must also be {@link java.io.Serializable}. */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    /** {@inheritDoc} The task and the result must be {@link java.io.Serializable}. */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task must not be null");
        return scheduler.submit(new RunnableTask<>(task, result), loaderOf(task), "the task " + task);
    }

    /** {@inheritDoc} The command must be {@link java.io.Serializable}. */
    @Override
    public void execute(Runnable command) {
        submit(command);
    }

    /**
     * Applies {@code fn} to every input in the workers, with the default chunk size
     * {@code ceil(n / (4 * workers))}, and returns the results in input order.
     *
     * @throws CompletionException with the first failing task's exception as its cause
     * @throws CancellationException if the calling thread is interrupted (tasks are cancelled)
     */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Collection<? extends T> inputs) {
        Objects.requireNonNull(inputs, "inputs must not be null");
        int chunk = defaultChunkSize(inputs.size());
        return map(fn, inputs, chunk);
    }

    /** As {@link #map(SerializableFunction, Collection)}, sending {@code chunkSize} inputs per task. */
    public <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Collection<? extends T> inputs,
                              int chunkSize) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(inputs, "inputs must not be null");
        requirePositive(chunkSize);
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        List<T> chunk = new ArrayList<>(Math.min(chunkSize, inputs.size()));
        try {
            for (T input : inputs) {
                chunk.add(input);
                if (chunk.size() == chunkSize) {
                    chunks.add(submitChunk(fn, chunk));
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty()) {
                chunks.add(submitChunk(fn, chunk));
            }
            List<R> out = new ArrayList<>(inputs.size());
            for (CompletableFuture<List<R>> f : chunks) {
                out.addAll(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            chunks.forEach(f -> f.cancel(true));
            throw Scheduler.interrupted("map");
        } catch (ExecutionException e) {
            chunks.forEach(f -> f.cancel(true));
            throw new CompletionException(e.getCause());
        } catch (RuntimeException | Error e) {
            chunks.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    /** Lazily applies {@code fn} to the inputs one per task; results come in input order. */
    public <T, R> Iterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs) {
        return imap(fn, inputs, 1);
    }

    /**
     * Lazily applies {@code fn} to the inputs, {@code chunkSize} per task, keeping at most
     * {@code 2 * workers} chunks in flight; results come in input order. {@code next()} throws
     * {@link CompletionException} if a task failed.
     */
    public <T, R> Iterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs,
                                   int chunkSize) {
        return lazyMap(fn, inputs, chunkSize, true);
    }

    /** As {@link #imap(SerializableFunction, Iterable)}, results in completion order. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                            Iterable<? extends T> inputs) {
        return imapUnordered(fn, inputs, 1);
    }

    /** As {@link #imap(SerializableFunction, Iterable, int)}, results in completion order of chunks. */
    public <T, R> Iterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                            Iterable<? extends T> inputs, int chunkSize) {
        return lazyMap(fn, inputs, chunkSize, false);
    }

    private <T, R> Iterator<R> lazyMap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> inputs,
                                       int chunkSize, boolean ordered) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(inputs, "inputs must not be null");
        requirePositive(chunkSize);
        return new LazyMap<>(this, fn, inputs, chunkSize, 2 * workerCount(), ordered);
    }

    <T, R> CompletableFuture<List<R>> submitChunk(SerializableFunction<? super T, ? extends R> fn, List<T> chunk) {
        return scheduler.submit(new ChunkTask<>(fn, chunk), loaderOf(fn),
                "the function " + fn + " with its inputs " + describe(chunk));
    }

    /**
     * The futures in the order they complete, like Python's {@code as_completed}: the iterator's
     * {@code next()} blocks until one more future is done.
     */
    public static <T> Iterable<CompletableFuture<T>> completionOrder(Collection<? extends CompletableFuture<T>> futures) {
        return new CompletionOrder<>(Objects.requireNonNull(futures, "futures must not be null"));
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
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
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot happen without a timeout", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<Future<T>> futures = submitAll(tasks);
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        List<CompletableFuture<T>> cfs = new ArrayList<>();
        futures.forEach(f -> cfs.add((CompletableFuture<T>) f));
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        ExecutionException last = null;
        try {
            Iterator<CompletableFuture<T>> done = completionOrder(cfs).iterator();
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
            cfs.forEach(f -> f.cancel(true));
        }
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(task));
            }
        } catch (RuntimeException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        return futures;
    }

    /** The number of workers the pool keeps running. */
    public int workerCount() {
        return scheduler.workerCount();
    }

    /** The process ids of the workers currently running, in start order. */
    public List<Long> workerPids() {
        return scheduler.workerPids();
    }

    @Override
    public void shutdown() {
        scheduler.shutdown();
    }

    /** Cancels queued and running tasks, kills the workers, and returns the tasks never started. */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (TaskFuture<?> f : scheduler.stopNow()) {
            never.add(() -> f.cancel(false));
        }
        return never;
    }

    @Override
    public boolean isShutdown() {
        return scheduler.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return scheduler.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return scheduler.awaitTermination(unit.toNanos(timeout));
    }

    /**
     * Shuts down, waits for queued tasks to finish and for every worker to exit. If interrupted
     * while waiting, stops everything as {@link #shutdownNow} does, and keeps the interrupt status.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        shutdown();
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The pool's state, queue length and workers, for diagnostics. */
    @Override
    public String toString() {
        return "ProcessPool[" + scheduler + "]";
    }

    private int defaultChunkSize(int n) {
        int per = 4 * workerCount();
        return Math.max(1, (n + per - 1) / per);
    }

    private static void requirePositive(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
    }

    private static ClassLoader loaderOf(Object task) {
        return task.getClass().getClassLoader();
    }

    private static String describe(List<?> chunk) {
        String s = chunk.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Adapts a serializable Runnable with a fixed result to a Callable. */
    private record RunnableTask<T>(Runnable task, T result) implements SerializableCallable<T> {
        @Override
        public T call() {
            task.run();
            return result;
        }
    }

    /**
     * Options for a {@link ProcessPool}; {@link #build()} starts the workers and waits until they are
     * ready.
     *
     * <pre>{@code
     * ProcessPool pool = ProcessPool.builder().workers(2).maxTasksPerWorker(100)
     *         .workerJvmOptions(List.of("-Xmx256m")).build();
     * }</pre>
     */
    public static final class Builder {
        int workers = Runtime.getRuntime().availableProcessors();
        SerializableRunnable initializer;
        int maxTasksPerWorker;
        List<String> jvmOptions = List.of();
        String filterPattern = "";
        long cancelGraceMillis = 1000;
        long startupTimeoutMillis = 60_000;

        private Builder() {
        }

        /** Number of worker JVMs, at least 1; default: available processors. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("a process pool needs at least 1 worker, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Runs in every worker before its first task; if it throws, the pool does not start. */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer must not be null");
            return this;
        }

        /** Replaces a worker after it has run this many tasks; 0 (default) means never. */
        public Builder maxTasksPerWorker(int maxTasks) {
            if (maxTasks < 0) {
                throw new IllegalArgumentException("maxTasksPerWorker must be 0 (no limit) or more, was " + maxTasks);
            }
            this.maxTasksPerWorker = maxTasks;
            return this;
        }

        /** Extra options for the worker JVMs, such as {@code -Xmx256m}; they override the defaults. */
        public Builder workerJvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * A JDK {@link java.io.ObjectInputFilter} pattern applied on both sides before the pool's
         * default policy, such as {@code "javax.management.ObjectName"} to admit a denied class or
         * {@code "!com.example.*"} to reject more.
         */
        public Builder deserializationFilter(String pattern) {
            this.filterPattern = Objects.requireNonNull(pattern, "pattern must not be null");
            java.io.ObjectInputFilter.Config.createFilter(pattern.isBlank() ? "*" : pattern); // fail now if malformed
            return this;
        }

        /** How long a cancelled task may ignore its interrupt before its worker is killed; default 1 s. */
        public Builder cancelGracePeriod(Duration grace) {
            this.cancelGraceMillis = grace.toMillis();
            return this;
        }

        /** Starts the workers and returns when all are ready. */
        public ProcessPool build() {
            ProcessPool pool = new ProcessPool(this);
            try {
                pool.scheduler.startAll(startupTimeoutMillis);
            } catch (InterruptedException e) {
                pool.shutdownNow();
                throw Scheduler.interrupted("starting the pool");
            }
            return pool;
        }
    }
}
