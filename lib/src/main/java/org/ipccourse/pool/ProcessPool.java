package org.ipccourse.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
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
 * A pool has a fixed number of workers, by default {@link #defaultWorkers()} (one per available
 * processor, unless the machine's cores are shared out among many kernels). Each is a
 * {@code java} process started from the same JDK as the owner, with the pool's classes and the
 * owner's class path. It runs one task at a time, and holds at most one more task queued behind it,
 * so it never waits for the pipe between tasks; when another worker falls idle, the owner takes
 * that queued task back and runs it there, so no task waits behind a long one. A worker is replaced
 * after {@link Builder#maxTasksPerWorker} tasks when that is set, and whenever it dies.
 *
 * <h2>What processes buy, and what they do not</h2>
 * A worker isolates faults, not trust. A task that crashes its JVM, exhausts its heap, calls
 * {@code System.exit} or corrupts static state harms only its worker: the owner reports it and
 * carries on (see Failures). But a worker runs as the owner's user, with the owner's
 * environment, files and permissions, so code that runs in it can do whatever that user can do
 * to the owner: read and even write the owner's memory through {@code /proc/<pid>/mem} where the
 * kernel's ptrace policy allows it (Linux without the Yama module, as on the machine this course
 * was checked on, or with {@code kernel.yama.ptrace_scope} 0), load an agent into the owner
 * through the JDK's attach API (allowed between JVMs of one user whatever that policy says,
 * unless the owner was started with {@code -XX:+DisableAttachMechanism}), signal or kill it, and
 * read its files. So a worker is no sandbox: run code you do not trust under another user, in a
 * container or a virtual machine, never in a pool worker. What the pool hardens is listed in the
 * launcher's options: workers do not accept the attach mechanism themselves and write no core
 * dump; the JDK offers no way to make a process undumpable, change its user or confine its
 * system calls without native code.
 *
 * <h2>Start-up</h2>
 * Creating a pool starts all workers at once and returns when every worker has run the
 * {@linkplain Builder#initializer initializer} and reported ready. Workers start with
 * {@code -Xshare:auto -XX:-UsePerfData} (and the options of What processes buy): the JDK's
 * default class-data-sharing archive (turning it off made a pool of two about 40% slower to start
 * on the course machines) and no perf-data file; and, unless the options given choose a
 * collector, the one that starts fastest with that archive: G1 on JDK 17, the serial collector,
 * which suits a single task thread, from JDK 18 (the archive's heap objects load only with G1 on
 * JDK 17). When set-up has made the workers' own class-data archive beside the worker jar ({@code
 * WorkerArchive}), they map the classes of their start and first tasks from it: {@code ./course
 * bench pool} measured 2 workers ready in 96 ms unpinned and 146 ms pinned with it, against 137
 * and 255 ms in the run before it.
 * {@code -XX:TieredStopAtLevel=1} gave no measurable start-up gain and would cap every CPU-bound
 * task at C1-compiled code, so it is not used. While the workers
 * start, the owner runs its own encoding path in memory, and each worker its decoding path once
 * before its first task ({@code WarmUp}). Options given to {@link Builder#workerJvmOptions} come
 * after these and win.
 *
 * <h2>Tasks and serialization</h2>
 * Tasks are {@link SerializableCallable}, {@link SerializableRunnable} or {@link
 * SerializableFunction} values, usually lambdas; in the course's notebooks every lambda written in
 * a cell is serializable, so plain {@code Callable} and {@code Runnable} lambdas work through an
 * {@code ExecutorService} variable too. A task that reads a notebook variable gets the kernel's
 * value, fetched by the worker when the task first reads it ({@link
 * org.ipccourse.classes.NotebookState}; counted by {@link #notebookStateReads()} and {@link
 * #notebookStateBytesSent()}); a task that assigns one fails, as it could change only the worker's
 * copy. {@code CompletableFuture.supplyAsync(supplier, pool)} cannot work (it hands the pool an
 * object holding the future) and fails saying what to write instead. A task is serialized when it is submitted, so a
 * task that captures something not serializable fails at once, before anything is sent, with an
 * {@link IllegalArgumentException} naming the offending class. A worker that meets a class not on
 * its class path (a class defined in a notebook cell, or by any owner-side class loader) asks the
 * owner for its bytes over the same pipe, once: a worker keeps classes by name, which suits
 * notebooks (a redefined cell class gets a new name) but not two owner loaders that define
 * different classes under one name. Results travel back the same way and must be serializable too;
 * a result that is not fails that task's future with a {@link java.io.NotSerializableException}.
 * Both sides deserialize through a filter that rejects known gadget classes (the wire protocol's
 * description, {@code WireProtocol} in this package's source, lists them);
 * {@link Builder#deserializationFilter} adjusts it.
 *
 * <h2>Chunking</h2>
 * {@link #map(SerializableFunction, Collection, int) map} sends inputs in chunks, one task per
 * chunk. Chunk size 1 pays a round trip per input; the default, {@code ceil(n / (4 * workers))} as
 * in Python, pays a handful of round trips in all and still balances load across workers. The
 * function is serialized once per call, and each worker deserializes it once. {@link #imap} takes
 * any {@link Iterable}, keeps at most {@code 2 * workers} chunks in flight, and hands back results
 * as they are consumed.
 *
 * <h2>Failures</h2>
 * An exception thrown by a task surfaces from {@code get()} as an {@link ExecutionException} whose
 * cause is the original exception, with its type, message and the worker's stack frames ({@link
 * RemoteTaskException} stands in when the exception itself cannot be serialized). An {@code
 * OutOfMemoryError} or {@code StackOverflowError} in a task is reported the same way; after an
 * {@code OutOfMemoryError} the worker also retires, as its heap is suspect. A worker that dies
 * (System.exit, kill -9, a native crash) fails only the task it was running, within a second, with
 * a {@link WorkerDiedException} naming the worker, its pid, its exit status, its last words on
 * standard error and, after a native crash, its crash report file; the pool starts a replacement
 * and runs the worker's other queued task elsewhere. Python's {@code ProcessPoolExecutor} instead
 * marks itself broken ({@code BrokenProcessPool}) and fails every pending task, because its workers
 * share one queue and a dead worker may have taken any of them; here the owner knows exactly which
 * task each worker holds, so it can blame one task and carry on. An {@linkplain Builder#initializer
 * initializer} that throws fails pool creation (or, for a replacement worker, breaks the pool) with
 * the initializer's exception, and so does a worker that exits on its own before it is ready (a JVM
 * option the JVM refuses): no respawn loop. A worker killed by a signal before it is ready was
 * killed from outside and is replaced, up to 8 such deaths in a row. A broken pool fails every
 * unfinished task with a {@link java.util.concurrent.RejectedExecutionException} that says why.
 * A task or result larger than a quarter of the owner's heap (at most 1 GiB) is refused with a
 * message that names both sizes and points to shared memory; a worker whose answers stop arriving
 * in the middle of a frame, or that writes bytes that are not a frame, is killed and its task failed.
 *
 * <h2>Cancellation</h2>
 * {@code cancel(true)} on a running task interrupts the task thread in its worker; a task that does
 * not stop within {@link Builder#cancelGracePeriod} (default one second) has its worker killed and
 * replaced. A thread interrupted while blocked in {@code get()} on a future of this pool, or in
 * {@code map}, {@code imap}, {@code invokeAll} or {@code invokeAny}, cancels the tasks it was
 * waiting for; this differs from plain {@code CompletableFuture}, and is what stops workers
 * computing when a notebook cell is interrupted.
 *
 * <h2>Where it differs from a thread pool on purpose</h2>
 * <ul>
 * <li>Results are copies: {@code get} returns an equal object rebuilt in this JVM, never the
 *     instance the task returned or, for {@link #submit(Runnable, Object)}, the {@code result}
 *     object passed in (a thread pool's {@code FutureTask} hands back that same instance).</li>
 * <li>A thread interrupted while waiting for a task cancels it (see Cancellation).</li>
 * <li>{@code cancel(true)} on a running task stops it: by an interrupt, then by killing its
 *     worker (Python's {@code Future.cancel} refuses once a task runs).</li>
 * </ul>
 * Everything else follows {@link ExecutorService}: {@code invokeAll} and {@code invokeAny} check
 * every argument (null collection, null task, null unit) before running anything; timed
 * {@code invokeAny} throws {@link TimeoutException} at its deadline even while no task has
 * completed, and an interrupted one throws {@link InterruptedException}, cancelling its tasks in
 * both cases. A task that throws {@link CancellationException} or {@link CompletionException}
 * fails with exactly that exception as the cause of the {@link ExecutionException}; only
 * {@code cancel} makes {@code isCancelled()} true.
 *
 * <h2>Pools nobody can reach</h2>
 * A pool whose object becomes unreachable is shut down when it is collected, as Python's
 * {@code Pool} is; and when a notebook cell that creates a pool runs again, the pool its earlier
 * run left in the same variable is shut down at once, with a line in the cell's output, so
 * re-running cells leaves the workers of one pool ({@link OpenPools}).
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown} runs the queued tasks and then closes the workers' standard input, on which
 * they exit; {@link #shutdownNow} cancels everything and kills them; {@link #close} shuts down and
 * waits, as {@code ExecutorService.close()} does on JDK 19+. A worker also exits at once when its
 * owner disappears, even by SIGKILL, because its standard input reaches end of file; when the
 * owner's JVM exits normally ({@code System.exit}, or its last thread ends) with pools still open,
 * their workers are killed before it has exited ({@link LiveWorkers}), so the exit is as quick as
 * without a pool and tasks still running fail.
 *
 * <h2>Costs</h2>
 * A worker costs a JVM: tens of megabytes and a start-up of about a hundred milliseconds (about
 * as long as Python's spawn pool takes on the course machines). A task costs two encodings and two
 * pipe writes. A thread waiting in {@code get} or {@code join} for its worker's only task reads the
 * answer itself, so a round trip wakes no third thread: it polls the pipe for up to 50 µs, then
 * blocks in the read. A short task runs on the worker thread that read it, and after answering a
 * task submitted alone a worker watches its pipe for 50 µs before it sleeps. Both poll only when
 * the machine has a CPU to spare: they block at once on one CPU, and for a while after their polls
 * found nothing (a loaded machine), where polling would hold the CPU the other side needs: the
 * polls cost CPU time and spare the wake-ups. Numbers, strings, lists of those and lambdas such
 * as {@code () -> n} are encoded directly rather than with Java serialization (see {@code
 * WireProtocol}, "Payload encoding"), so a trivial task's round trip is mostly the pipe.
 * Once the JIT has compiled both sides (in a fresh JVM the first 100 tasks cost 0.4-0.6 ms each,
 * tasks 101 to 1,000 40-80 µs), it measured 0.4 to 1.0 times a raw blocking ping-pong between two
 * JVMs, and 5 to 30 times less than Python's {@code Pool.apply} in the same runs. A worker holds
 * up to 2 tasks at once, so it never waits for the next one, and up to 8 chunks of a {@code map}
 * that has at least 32 chunks per worker; an idle worker takes over tasks that wait behind a long
 * one. {@code map} with the default chunk size costs a fraction of a microsecond per element. A
 * large task or result takes about its serialized size once more on each side while it travels:
 * the sender keeps it serialized (in chunks that go to the pipe as they are) and the receiver
 * reads the frame into one array that it decodes in place; large primitive arrays are copied in
 * bulk. The benchmark in {@code bench/} measures all of this beside Python's pools.
 * Dependent actions attached with non-async methods ({@code thenApply}) run on the thread that
 * completes the future: a thread waiting in {@code get} that read the answer itself, or one of the
 * pool's completion threads, never a thread that reads a worker's pipe; so a dependent may wait
 * for another task of the same pool.
 */
public final class ProcessPool implements ExecutorService, AutoCloseable {
    private final Scheduler scheduler;

    private ProcessPool(Builder builder) {
        this.scheduler = new Scheduler(builder);
    }

    /** A pool with {@link #defaultWorkers()} workers. */
    public static ProcessPool newProcessPool() {
        return builder().build();
    }

    /**
     * The number of workers a pool gets unless told otherwise: the environment variable
     * {@code IPC_COURSE_POOL_WORKERS} when it is set, else {@link Runtime#availableProcessors()}.
     *
     * <p>One worker per core is right for one user on a machine, and wrong for a class: eight
     * students' kernels on two cores would start sixteen busy workers. So whoever knows how many
     * kernels share the machine sets the variable once for all of them (the course's JupyterHub sets
     * it to the cores divided by the students, at least 1; see the README's sizing advice). A
     * setting, not a count of live kernels at the moment a pool starts: that count would change a
     * notebook's pool size, and so its numbers, with what other users happen to be running.
     *
     * @throws IllegalStateException if the variable is set but is not a positive integer
     */
    public static int defaultWorkers() {
        String value = System.getenv("IPC_COURSE_POOL_WORKERS");
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int workers = Integer.parseInt(value.trim());
            if (workers >= 1) {
                return workers;
            }
        } catch (NumberFormatException e) {
            // the message below says what to do
        }
        throw new IllegalStateException("IPC_COURSE_POOL_WORKERS=" + value + " is not a positive number of workers;"
                + " set it to 1 or more, or unset it for one worker per core");
    }

    /** A pool with {@code workers} workers (at least 1). */
    public static ProcessPool newProcessPool(int workers) {
        return builder().workers(workers).build();
    }

    /** A builder for a pool with an initializer, a task limit per worker or JVM options. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The options every worker JVM starts with, before those given to {@link
     * Builder#workerJvmOptions} (which come after them and win): class-data sharing, no perf-data
     * file, VM output and logging on standard error, crash reports to a file, no core dump, no
     * attach mechanism, and the collector (see "Start-up" above); then, when set-up made it, the
     * workers' own class-data archive. A measurement that starts
     * a JVM of its own to compare with a worker, as the benchmarks' raw pipe does, starts it with
     * these, so that the two differ only in what is measured.
     */
    public static List<String> defaultWorkerJvmOptions() {
        return WorkerLauncher.startOptions(List.of());
    }

    /** Submits a task; the future completes with its result or the exception it threw. */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        requireShippable(task, "task");
        return scheduler.submit(task, loaderOf(task), () -> "the task " + task);
    }

    /** {@inheritDoc} The task must also be {@link java.io.Serializable}. */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        requireShippable(task, "task");
        return scheduler.submit(task, loaderOf(task), () -> "the task " + task);
    }

    /** {@inheritDoc} The task must also be {@link java.io.Serializable}. */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    /** {@inheritDoc} The task and the result must be {@link java.io.Serializable}. */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        requireShippable(task, "task");
        return scheduler.submit(new RunnableTask<>(task, result), loaderOf(task), () -> "the task " + task);
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
        requireShippable(fn, "fn");
        Objects.requireNonNull(inputs, "inputs must not be null");
        requirePositive(chunkSize);
        ChunkTask.Fn shipped = ChunkTask.Fn.of(fn, notebookEpoch());
        long chunkCount = (inputs.size() + (long) chunkSize - 1) / chunkSize;
        int prefetch = chunkCount >= 4L * Scheduler.FINE_CHUNK_PREFETCH * workerCount()
                ? Scheduler.FINE_CHUNK_PREFETCH : Scheduler.PREFETCH;
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        // Chunks are copied from ranges of a list in bulk, not element by element.
        List<? extends T> all = inputs instanceof List<? extends T> list && inputs instanceof RandomAccess
                ? list : new ArrayList<>(inputs);
        try {
            for (int from = 0; from < all.size(); from += chunkSize) {
                int to = (int) Math.min(all.size(), (long) from + chunkSize);
                chunks.add(submitChunk(shipped, all.subList(from, to), prefetch));
            }
            Invocations.awaitAllOrAFailure(chunks);
            for (CompletableFuture<List<R>> f : chunks) {
                if (f.isCompletedExceptionally()) {
                    f.get(); // the failure that ended the wait, not a chunk still running before it
                }
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
     * {@code 2 * workers} chunks in flight; results come in input order. As in Python's
     * {@code imap}, a failed chunk makes one {@code next()} throw a {@link CompletionException}
     * with the task's exception as its cause, in place of that chunk's results, and the next
     * call goes on with the following chunk; an exception thrown by the input iterator is thrown
     * by {@code next()} as is, after the results of every input read before it, and ends the
     * iteration.
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
        requireShippable(fn, "fn");
        Objects.requireNonNull(inputs, "inputs must not be null");
        requirePositive(chunkSize);
        return new LazyMap<>(this, fn, inputs, chunkSize, 2 * workerCount(), ordered);
    }

    /**
     * Checks what the user hands the pool before anything is sent: not null, serializable, and not
     * an object that cannot travel by design ({@link Shippable}). Notebook variables it reads are
     * fetched by the worker when read (see {@link org.ipccourse.classes.NotebookState}).
     */
    private static <U> U requireShippable(U userObject, String what) {
        return Shippable.require(userObject, what);
    }

    /** The notebook-state epoch for tasks submitted now (see {@code NotebookState}). */
    long notebookEpoch() {
        return scheduler.notebookEpoch();
    }

    <T, R> CompletableFuture<List<R>> submitChunk(ChunkTask.Fn fn, List<T> chunk, int prefetch) {
        return scheduler.submit(ChunkTask.<T, R>of(fn, chunk), fn.loader(), fn::description, fn.epoch(), true, prefetch);
    }

    /**
     * The futures in the order they complete, like Python's {@code as_completed}: the iterator's
     * {@code next()} blocks until one more future is done. A future given more than once is
     * yielded once. An interrupted {@code next()} throws {@link CancellationException} and keeps
     * the interrupt status (an iterator cannot throw {@code InterruptedException}).
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
        Objects.requireNonNull(unit, "unit must not be null");
        return Invocations.all(submitAll(tasks), unit.toNanos(timeout));
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
        Objects.requireNonNull(unit, "unit must not be null");
        return Invocations.any(submitAll(tasks), unit.toNanos(timeout));
    }

    /** Checks every task before submitting any, so a bad one leaves nothing running. */
    private <T> List<CompletableFuture<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        List<Callable<T>> checked = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            checked.add(requireShippable(task, "a task in tasks"));
        }
        List<CompletableFuture<T>> futures = new ArrayList<>(checked.size());
        long epoch = notebookEpoch(); // one notebook-state check for the whole call
        try {
            for (Callable<T> task : checked) {
                futures.add(scheduler.submit(task, loaderOf(task), () -> "the task " + task, epoch, false,
                        Scheduler.PREFETCH));
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

    /**
     * Cancels queued and running tasks and kills the workers. Returns the tasks that never
     * started, in submission order: those still queued, and those a worker held behind its running
     * task and handed back when asked (it is given up to half a second); as Runnables: a submitted
     * Runnable itself, a Callable wrapped so that running it calls it in this JVM. Every other
     * unfinished task's future is cancelled.
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (TaskFuture<?> f : scheduler.stopNow()) {
            Object task = f.task instanceof RunnableTask<?> r ? r.task() : f.task;
            if (task instanceof Runnable r) {
                never.add(r);
            } else if (task instanceof Callable<?> c) {
                never.add(() -> {
                    try {
                        c.call();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
            }
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

    /**
     * How many values of notebook state (top-level variables, static fields of classes declared in
     * cells) workers have fetched from this JVM: one per top-level variable and task that reads
     * it; one per static field of a class and worker that reads it, and again after the kernel
     * changes such fields.
     */
    public long notebookStateReads() {
        return scheduler.notebookValues().reads();
    }

    /** The encoded size of the values counted by {@link #notebookStateReads()}, in bytes. */
    public long notebookStateBytesSent() {
        return scheduler.notebookValues().bytes();
    }

    /**
     * The time this pool's submits spent checking whether the contents of a static field of a cell
     * class that workers hold changed in the kernel ({@code Config.names.add("x")}: see
     * {@link org.ipccourse.classes.NotebookState}), in nanoseconds: zero while no such value was
     * sent, else one check per {@code submit}, {@code map}, {@code imap} or {@code invokeAll} call.
     */
    public long notebookStateCheckNanos() {
        return scheduler.notebookValues().checkNanos();
    }

    /** How many answers waiting callers read from the workers' pipes themselves; for tests. */
    long answersReadByCallers() {
        return scheduler.framesReadByCallers();
    }

    /** The pool's state, queue length and workers, for diagnostics. */
    @Override
    public String toString() {
        return "ProcessPool[" + scheduler + "]";
    }

    /**
     * The chunk size {@link #map(SerializableFunction, Collection)} uses for {@code inputs} inputs on
     * {@code workers} workers: {@code ceil(inputs / (4 * workers))}, at least 1, as Python's
     * {@code Pool.map}. Costs nothing.
     */
    public static int defaultChunkSize(int inputs, int workers) {
        if (inputs < 0 || workers < 1) {
            throw new IllegalArgumentException("need inputs >= 0 and workers >= 1, got inputs "
                    + inputs + " and workers " + workers);
        }
        long per = 4L * workers;
        return (int) Math.max(1, (inputs + per - 1) / per);
    }

    private int defaultChunkSize(int n) {
        return defaultChunkSize(n, workerCount());
    }

    private static void requirePositive(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
    }

    private static ClassLoader loaderOf(Object task) {
        return task.getClass().getClassLoader();
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
        int workers; // 0: defaultWorkers(), read when the pool is built
        SerializableRunnable initializer;
        int maxTasksPerWorker;
        List<String> jvmOptions = List.of();
        String filterPattern = "";
        long cancelGraceMillis = Timing.DEFAULT_CANCEL_GRACE_MILLIS;
        long startupTimeoutMillis = Timing.DEFAULT_STARTUP_TIMEOUT_MILLIS;

        private Builder() {
        }

        /** A builder with the same settings (every field is immutable or a primitive). */
        private Builder copy() {
            Builder c = new Builder();
            c.workers = workers;
            c.initializer = initializer;
            c.maxTasksPerWorker = maxTasksPerWorker;
            c.jvmOptions = jvmOptions;
            c.filterPattern = filterPattern;
            c.cancelGraceMillis = cancelGraceMillis;
            c.startupTimeoutMillis = startupTimeoutMillis;
            return c;
        }

        /** Number of worker JVMs, at least 1; default: {@link ProcessPool#defaultWorkers()}. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("a process pool needs at least 1 worker, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Runs in every worker before its first task; if it throws, the pool does not start. */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = requireShippable(initializer, "initializer");
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
            org.ipccourse.pool.ObjectCodec.checkFilterPattern(pattern); // fail now if malformed
            return this;
        }

        /** How long a cancelled task may ignore its interrupt before its worker is killed; default 1 s. */
        public Builder cancelGracePeriod(Duration grace) {
            this.cancelGraceMillis = grace.toMillis();
            return this;
        }

        /**
         * Starts the workers and returns when all are ready. The pool keeps a copy of this
         * builder's settings: changing or reusing the builder afterwards does not change it.
         */
        public ProcessPool build() {
            Builder settings = copy();
            if (settings.workers == 0) {
                settings.workers = defaultWorkers();
            }
            ProcessPool pool = new ProcessPool(settings);
            try {
                pool.scheduler.startAll(startupTimeoutMillis);
            } catch (InterruptedException e) {
                pool.shutdownNow();
                throw Scheduler.interrupted("starting the pool");
            }
            OpenPools.register(pool, pool.scheduler); // closes it when unreachable, and older pools a re-run cell hides
            return pool;
        }
    }
}
