package org.ipccourse.pool;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.ipccourse.wire.ChunkedBytes;
import org.ipccourse.wire.MessageType;
import org.ipccourse.wire.ObjectCodec;
import org.ipccourse.wire.Payloads;

/**
 * The pool's engine: the queue of tasks, the workers, and what happens when a worker answers,
 * asks for a class, or dies. One lock (this object) guards the queue and every worker's in-flight
 * list; futures are completed outside it. It is one file of some 500 lines on purpose: every
 * transition of the queue and the workers is here, under that lock, where it can be read as one
 * state machine.
 */
final class Scheduler {
    /** Tasks a worker holds at once: the running one and the next, so it never waits on the pipe. */
    static final int PREFETCH = 2;
    /**
     * The same for the chunks of a {@code map} with many more chunks than workers: each chunk is
     * then a small share of the work, so a worker may hold more, and answers of short ones reach
     * the owner several to a read (with chunk size 1, 8 instead of 2 halves the cost per task). An
     * idle worker still takes over what waits behind a long chunk ({@link #takeBackForIdleWorkers}).
     * With few chunks (the default chunk size makes 4 per worker) holding more would undo the
     * balancing those chunks are for, and on one CPU it measured twice as slow.
     */
    static final int FINE_CHUNK_PREFETCH = 8;

    private enum State { RUNNING, SHUTDOWN, STOPPED, TERMINATED }

    private final ProcessPool.Builder config;
    private final List<String> command;
    private final byte[] initPayload;
    private final ObjectCodec codec;
    private final ArrayDeque<TaskFuture<?>> queue = new ArrayDeque<>();
    private final List<WorkerHandle> workers = new ArrayList<>();
    private final ClassServer classes = new ClassServer();
    private final ClassLoader creatorLoader = classes.creatorLoader;
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService timer;
    private State state = State.RUNNING;
    private int started;
    private Throwable broken;

    Scheduler(ProcessPool.Builder config) {
        this.config = config;
        this.command = WorkerLauncher.command(config.jvmOptions);
        this.codec = new ObjectCodec(config.filterPattern);
        byte[] init = new byte[0];
        if (config.initializer != null) {
            init = serialize(config.initializer, "the initializer");
            classes.remember(config.initializer.getClass().getClassLoader());
        }
        this.initPayload = Payloads.encodeInit(new Payloads.Init(config.filterPattern, init));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipc-pool-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the workers and waits until all are ready, or throws the reason one could not start. */
    synchronized void startAll(long timeoutMillis) throws InterruptedException {
        for (int i = 0; i < config.workers; i++) {
            startWorker();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (broken == null && readyCount() < config.workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                broken = new IllegalStateException("the pool's workers were not ready within " + timeoutMillis + " ms");
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (broken != null) {
            stopNow();
            throw broken instanceof RuntimeException r ? r : new IllegalStateException(broken.getMessage(), broken);
        }
    }

    private int readyCount() {
        int n = 0;
        for (WorkerHandle w : workers) {
            n += w.ready ? 1 : 0;
        }
        return n;
    }

    private void startWorker() {
        try {
            WorkerHandle w = new WorkerHandle(++started, command, this);
            workers.add(w);
            w.start();
            w.send(MessageType.INIT, w.number, initPayload);
        } catch (IOException e) {
            fail(new IllegalStateException("could not start a worker JVM with " + command + ": " + e.getMessage(), e));
        }
    }

    static byte[] serialize(Object task, String what) {
        return serialize(task, () -> what).toByteArray();
    }

    /** Serializes a task; {@code what} names it in the exception when it cannot be serialized. */
    static ChunkedBytes serialize(Object task, Supplier<String> what) {
        try {
            return ObjectCodec.serializeChunked(task);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(what.get() + " cannot be sent to a worker: " + e.getMessage()
                    + " is not Serializable. Capture only Serializable values (copy what you need into local"
                    + " variables of Serializable types), or make that class implement java.io.Serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what.get() + " cannot be sent to a worker: " + e, e);
        }
    }

    <T> TaskFuture<T> submit(Object callable, ClassLoader loader, Supplier<String> what) {
        return submit(callable, loader, what, false, PREFETCH);
    }

    /**
     * As {@link #submit(Object, ClassLoader, Supplier)}. {@code chunk}: the task is a chunk of
     * {@code map} or {@code imap}; {@code prefetch}: how many tasks its worker may hold with it.
     */
    <T> TaskFuture<T> submit(Object callable, ClassLoader loader, Supplier<String> what, boolean chunk, int prefetch) {
        ChunkedBytes payload = serialize(callable, what);
        synchronized (this) {
            if (state != State.RUNNING || broken != null) {
                throw new RejectedExecutionException("the process pool is " + describeState()
                        + "; create a new pool to run more tasks", broken);
            }
            classes.remember(loader);
            TaskFuture<T> f = new TaskFuture<>(this, ids.incrementAndGet(), callable, payload,
                    List.of(loader != null ? loader : ClassLoader.getSystemClassLoader()), chunk, prefetch);
            queue.add(f);
            dispatch(f);
            return f;
        }
    }

    private String describeState() {
        if (broken != null) {
            return "broken (" + broken.getMessage() + ")";
        }
        return switch (state) {
            case RUNNING -> "running";
            case SHUTDOWN -> "shut down (" + queue.size() + " queued tasks left to run)";
            case STOPPED -> "stopped";
            case TERMINATED -> "terminated";
        };
    }

    private void dispatch() {
        dispatch(null);
    }

    /**
     * Sends queued tasks to workers with room. {@code submitted}: the task its caller is
     * submitting now, which that caller may wait for at once and read the answer of itself
     * ({@link WorkerHandle#readFor}); for any other task sent, the worker's reader thread is woken.
     */
    private void dispatch(TaskFuture<?> submitted) {
        if (!queue.isEmpty() && (state == State.STOPPED || state == State.TERMINATED || broken != null)) {
            List<TaskFuture<?>> dropped = new ArrayList<>(queue);
            queue.clear();
            try {
                timer.execute(() -> dropped.forEach(f -> f.cancel(false))); // not under this lock
            } catch (RejectedExecutionException e) {
                dropped.forEach(f -> f.cancel(false));
            }
        }
        while (!queue.isEmpty()) {
            WorkerHandle best = null;
            int prefetch = queue.peek().prefetch;
            for (WorkerHandle w : workers) {
                if (w.ready && !w.retiring && !w.exited && w.inFlight.size() < prefetch
                        && (best == null || w.inFlight.size() < best.inFlight.size())) {
                    best = w;
                }
            }
            if (best == null) {
                break;
            }
            TaskFuture<?> f = queue.poll();
            if (f.isDone()) {
                continue;
            }
            f.worker = best;
            best.inFlight.add(f);
            best.inFlightChanged();
            best.sent++;
            if (config.maxTasksPerWorker > 0 && best.sent >= config.maxTasksPerWorker) {
                best.retiring = true;
                startWorker();
            }
            try {
                boolean awaited = f == submitted && !f.chunk;
                best.send(awaited ? MessageType.AWAITED_TASK : MessageType.TASK, f.id, f.payload);
                best.taskSent(awaited);
            } catch (IOException e) {
                best.process.destroyForcibly(); // its exit fails or requeues what it holds
            }
        }
        if (queue.isEmpty()) {
            takeBackForIdleWorkers();
        }
        maybeTerminate();
    }

    /**
     * An idle worker while another holds a task behind its running one: ask for that task back
     * (it comes back as SKIPPED unless it has started), so that no task waits behind a long one.
     */
    private void takeBackForIdleWorkers() {
        int idle = 0;
        for (WorkerHandle w : workers) {
            if (w.ready && !w.retiring && !w.exited && w.inFlight.isEmpty()) {
                idle++;
            }
        }
        for (WorkerHandle w : workers) {
            if (idle == 0) {
                return;
            }
            if (w.inFlight.size() < 2 || w.exited) {
                continue;
            }
            TaskFuture<?> waiting = w.inFlight.peekLast();
            if (!waiting.takeBackAsked) {
                waiting.takeBackAsked = true;
                idle--;
                try {
                    w.send(MessageType.CANCEL, waiting.id, new byte[] {0});
                } catch (IOException e) {
                    // the worker is dying; its exit requeues the task
                }
            }
        }
    }

    void skipped(WorkerHandle w, long id) {
        synchronized (this) {
            for (var it = w.inFlight.iterator(); it.hasNext(); ) {
                TaskFuture<?> f = it.next();
                if (f.id == id) {
                    it.remove();
                    w.inFlightChanged();
                    f.worker = null;
                    if (!f.isDone()) {
                        f.takeBackAsked = false;
                        queue.addFirst(f);
                    }
                    break;
                }
            }
            if (w.retiring && w.inFlight.isEmpty()) {
                w.closeInput();
            }
            dispatch();
        }
    }

    void ready(WorkerHandle w) {
        synchronized (this) {
            w.ready = true;
            notifyAll();
            dispatch();
        }
    }

    void initFailed(WorkerHandle w, byte[] payload) {
        Throwable cause = decodeThrowable(payload, List.of(creatorLoader));
        fail(new IllegalStateException("the pool's initializer threw " + cause + " in " + w
                + "; the pool does not restart workers whose initializer fails", cause));
    }

    /** Marks the pool broken: queued tasks fail, no new worker starts, the workers are stopped. */
    private void fail(Throwable why) {
        List<TaskFuture<?>> lost;
        synchronized (this) {
            if (broken != null) {
                return;
            }
            broken = why;
            lost = new ArrayList<>(queue);
            queue.clear();
            notifyAll();
        }
        for (TaskFuture<?> f : lost) {
            f.completeExceptionally(why);
        }
        stopNow();
    }

    void answered(WorkerHandle w, long id, byte[] payload, boolean failure) {
        TaskFuture<?> f = null;
        synchronized (this) {
            for (var it = w.inFlight.iterator(); it.hasNext(); ) {
                TaskFuture<?> candidate = it.next();
                if (candidate.id == id) {
                    f = candidate;
                    it.remove();
                    w.inFlightChanged();
                    break;
                }
            }
        }
        List<ClassLoader> resultLoaders = f != null ? f.loaders : List.of(creatorLoader);
        Throwable thrown = failure ? decodeThrowable(payload, resultLoaders) : null;
        synchronized (this) {
            if (thrown instanceof OutOfMemoryError && !w.retiring) {
                // the worker halts after reporting this; whatever it holds has not started
                w.retiring = true;
                w.expectExit = true;
                if (state == State.RUNNING || !queue.isEmpty()) {
                    startWorker();
                }
            }
            if (w.retiring && w.inFlight.isEmpty()) {
                w.closeInput();
            }
            dispatch();
        }
        if (f == null || f.isDone()) {
            return;
        }
        if (failure) {
            f.completeExceptionally(thrown);
        } else {
            try {
                complete(f, codec.deserialize(payload, f.loaders));
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                f.completeExceptionally(new InvalidClassException("the result of task " + id + " from " + w
                        + " could not be read: " + e.getMessage()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(TaskFuture<T> f, Object value) {
        f.complete((T) value);
    }

    private Throwable decodeThrowable(byte[] payload, List<ClassLoader> taskLoaders) {
        try {
            return (Throwable) codec.deserialize(payload, taskLoaders);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return new IllegalStateException("a task failed in a worker, and its exception could not be read: " + e, e);
        }
    }

    void serveClass(WorkerHandle w, long requestId, byte[] payload) throws IOException {
        List<ClassLoader> taskLoaders = new ArrayList<>();
        synchronized (this) {
            for (TaskFuture<?> f : w.inFlight) {
                taskLoaders.addAll(f.loaders);
            }
        }
        w.send(MessageType.CLASS_BYTES, requestId, classes.answer(payload, taskLoaders));
    }

    void cancelled(TaskFuture<?> f, boolean interrupt) {
        WorkerHandle holder;
        synchronized (this) {
            if (queue.remove(f)) {
                return;
            }
            WorkerHandle w = f.worker;
            holder = w;
            if (w == null || w.exited || !w.inFlight.contains(f)) {
                return;
            }
            try {
                w.send(MessageType.CANCEL, f.id, new byte[] {(byte) (interrupt ? 1 : 0)});
            } catch (IOException e) {
                return; // the worker is dying; its exit handles the rest
            }
            if (!interrupt) {
                return;
            }
        }
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (holder.inFlight.contains(f) && !holder.exited) {
                        holder.kill(); // the task ignored the interrupt; the exit requeues the worker's other tasks
                    }
                }
            }, config.cancelGraceMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the pool has terminated: no worker left to stop
        }
    }

    /** Called (possibly twice) when a worker's protocol stream ended or its process exited. */
    void workerExited(WorkerHandle w, String protocolProblem) {
        synchronized (this) {
            if (w.exited) {
                return;
            }
            w.exited = true;
        }
        int status = w.awaitExitStatus();
        TaskFuture<?> running;
        boolean duringStartup;
        synchronized (this) {
            workers.remove(w);
            running = w.expectExit ? null : w.inFlight.poll();
            for (var it = w.inFlight.descendingIterator(); it.hasNext(); ) {
                TaskFuture<?> waiting = it.next();
                waiting.worker = null;
                queue.addFirst(waiting); // it never started: another worker runs it
            }
            w.inFlight.clear();
            w.inFlightChanged();
            duringStartup = !w.ready && broken == null && state == State.RUNNING;
            boolean needed = state == State.RUNNING || (state == State.SHUTDOWN && !queue.isEmpty());
            if (!duringStartup && broken == null && needed && !w.retiring) {
                startWorker();
            }
            dispatch();
            notifyAll();
        }
        String why = w + " " + (protocolProblem != null ? "broke the protocol (" + protocolProblem + ") and " : "")
                + "exited with " + WorkerDiedException.describeStatus(status);
        if (duringStartup) {
            fail(new IllegalStateException(why + " before it was ready" + w.lastWords()));
        }
        if (running != null) {
            running.completeExceptionally(new WorkerDiedException(why + " while running task " + running.id
                    + w.lastWords(), w.number, w.pid(), status));
        }
    }

    private void maybeTerminate() {
        if (state == State.RUNNING && broken == null) {
            return;
        }
        if (queue.isEmpty()) {
            for (WorkerHandle w : workers) {
                if (w.inFlight.isEmpty()) {
                    w.closeInput();
                }
            }
        }
        if (workers.isEmpty() && state != State.TERMINATED && (state != State.RUNNING || broken != null)) {
            state = State.TERMINATED;
            timer.shutdown();
            notifyAll();
        }
    }

    synchronized void shutdown() {
        if (state == State.RUNNING) {
            state = State.SHUTDOWN;
        }
        maybeTerminate();
    }

    /** Stops everything: cancels queued and running tasks, kills the workers; returns the queued. */
    List<TaskFuture<?>> stopNow() {
        List<TaskFuture<?>> never;
        List<TaskFuture<?>> running = new ArrayList<>();
        synchronized (this) {
            if (state == State.RUNNING || state == State.SHUTDOWN) {
                state = State.STOPPED;
            }
            never = new ArrayList<>(queue);
            queue.clear();
            for (WorkerHandle w : workers) {
                running.addAll(w.inFlight);
                w.kill();
            }
            maybeTerminate();
        }
        never.forEach(f -> f.cancel(false));
        running.forEach(f -> f.cancel(false));
        return never;
    }

    synchronized boolean isShutdown() {
        return state != State.RUNNING || broken != null;
    }

    synchronized boolean isTerminated() {
        return state == State.TERMINATED;
    }

    synchronized boolean awaitTermination(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (state != State.TERMINATED) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerHandle w : workers) {
            if (!w.exited && !w.retiring) {
                pids.add(w.pid());
            }
        }
        return pids;
    }

    @Override
    public synchronized String toString() {
        StringBuilder s = new StringBuilder(describeState()).append(", queued ").append(queue.size());
        for (WorkerHandle w : workers) {
            s.append(", ").append(w).append(w.ready ? "" : " starting").append(w.retiring ? " retiring" : "")
                    .append(" holding ").append(w.inFlight.size());
        }
        return s.toString();
    }

    /** Frames the current workers' waiting callers read themselves, for tests. */
    synchronized long framesReadByCallers() {
        long n = 0;
        for (WorkerHandle w : workers) {
            n += w.framesReadByCallers();
        }
        return n;
    }

    int workerCount() {
        return config.workers;
    }

    static CancellationException interrupted(String what) {
        Thread.currentThread().interrupt();
        return new CancellationException(what + " was interrupted; its unfinished tasks were cancelled");
    }
}
