package org.ipccourse.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.ipccourse.classes.CellClassAgent;
import org.ipccourse.classes.NotebookState;

/**
 * The pool's engine: the queue of tasks, the workers, and what happens when a worker answers,
 * asks for a class, or ends. One lock (this object) guards the queue, the pool's state, and every
 * worker's {@link WorkerState} and in-flight list; each method below takes it, decides, and posts
 * frames to workers' outboxes under it; the frames are written and futures completed after it is
 * released ({@link #flushAll}, {@link Completer}). Three helpers share the lock and this state:
 * {@link Answers} handles what workers send, {@link WorkerExits} starts workers, changes their
 * {@link WorkerState} (only there) and reports how they end, and {@link Stopping} ends the pool.
 *
 * <p>Invariants: a queued task is in {@code queue} and no in-flight list; a task sent is in exactly
 * one worker's in-flight list, in the order it was sent, until that worker answers it or ends;
 * only a READY worker is sent tasks; the head of an in-flight list is the task the worker runs (or
 * will run next); a worker's input is closed only when it holds nothing and nothing waits to be
 * taken back from another worker (so that no task can be sent to a closed input).
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

    enum State { RUNNING, SHUTDOWN, STOPPED, TERMINATED }

    final ProcessPool.Builder config;
    final TaskCodec codec;
    final Completer completer = new Completer();
    final WorkerExits exits;
    final Answers answers = new Answers(this);
    final Stopping stopping = new Stopping(this);
    final ArrayDeque<TaskFuture<?>> queue = new ArrayDeque<>();
    final List<WorkerHandle> workers = new ArrayList<>();
    final ClassServer classes = new ClassServer();
    final ClassLoader creatorLoader = classes.creatorLoader;
    private final AtomicLong ids = new AtomicLong();
    /** The workers, for writing their outboxes without the lock. */
    private volatile WorkerHandle[] published = new WorkerHandle[0];
    State state = State.RUNNING;
    Throwable broken;
    /** Tasks workers handed back (SKIPPED) while {@link #stopNow} waited for them. */
    final List<TaskFuture<?>> handedBack = new ArrayList<>();

    Scheduler(ProcessPool.Builder config) {
        this.config = config;
        List<String> command = WorkerLauncher.command(config.jvmOptions);
        // The workers' JVMs boot while this JVM sets the pool up (see WorkerExits.spawnAhead).
        List<Process> spawned = WorkerExits.spawnAhead(command, config.workers);
        try {
            this.codec = new TaskCodec(config.filterPattern);
            byte[] init = new byte[0];
            if (config.initializer != null) {
                init = TaskCodec.serialize(config.initializer, "the initializer");
                classes.remember(config.initializer.getClass().getClassLoader());
            }
            boolean cells = CellClassAgent.installed();
            this.exits = new WorkerExits(this, command, spawned,
                    Payloads.encodeInit(new Payloads.Init(config.filterPattern, init, codec.maxPayload,
                            cells, WarmUp.task(), WarmUp.cellTask(cells))));
        } catch (RuntimeException | Error e) {
            spawned.forEach(Process::destroyForcibly); // a refused setting: no worker is left behind
            throw e;
        }
    }

    /** Starts the workers and waits until all are ready, or throws the reason one could not start. */
    void startAll(long timeoutMillis) throws InterruptedException {
        synchronized (this) {
            exits.ensureWorkers();
        }
        flushAll();
        WarmUp.owner(codec, this::startedOrBroken); // while the workers start
        synchronized (this) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (broken == null && count(WorkerState.READY) < config.workers) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    broken = new IllegalStateException("the pool's workers were not ready within " + timeoutMillis + " ms");
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        if (broken != null) {
            stopNow();
            throw broken instanceof RuntimeException r ? r : new IllegalStateException(broken.getMessage(), broken);
        }
    }

    private synchronized boolean startedOrBroken() {
        return broken != null || count(WorkerState.READY) >= config.workers;
    }

    int count(WorkerState s) {
        int n = 0;
        for (WorkerHandle w : workers) {
            n += w.state == s ? 1 : 0;
        }
        return n;
    }

    /** Call under the lock after {@code workers} changed. */
    void publish() {
        published = workers.toArray(new WorkerHandle[0]);
    }

    /** Writes what was posted to the workers; call after releasing the lock. */
    void flushAll() {
        for (WorkerHandle w : published) {
            if (w.hasPosts()) {
                w.flush();
            }
        }
    }

    WorkerHandle[] published() {
        return published;
    }

    /**
     * Submits a task. {@code epoch}: the kernel's notebook-state epoch it carries
     * ({@link NotebookState#epoch()}, taken at submit or at the {@code map} call);
     * {@code chunk}: the task is a chunk of {@code map} or {@code imap}; {@code prefetch}: how
     * many tasks its worker may hold with it.
     */
    <T> TaskFuture<T> submit(Object callable, ClassLoader loader, Supplier<String> what, long epoch, boolean chunk,
            int prefetch) {
        ChunkedBytes payload = codec.serializeTask(epoch, callable, what);
        TaskFuture<T> f;
        boolean head;
        synchronized (this) {
            if (state != State.RUNNING || broken != null) {
                throw new RejectedExecutionException("the process pool is " + describeState()
                        + "; create a new pool to run more tasks", broken);
            }
            classes.remember(loader);
            f = new TaskFuture<>(this, ids.incrementAndGet(), callable, payload,
                    List.of(loader != null ? loader : ClassLoader.getSystemClassLoader()), chunk, prefetch);
            queue.add(f);
            dispatch(f);
            head = f.worker != null && f.worker.inFlight.peekFirst() == f; // never taken back: sent once
        }
        flushAll();
        try {
            TaskCodec.settle(payload, !head, what); // after this the caller may change its arrays
        } catch (IllegalArgumentException e) {
            f.cancel(true);
            throw e;
        }
        return f;
    }

    <T> TaskFuture<T> submit(Object callable, ClassLoader loader, Supplier<String> what) {
        return submit(callable, loader, what, notebookEpoch(), false, PREFETCH);
    }

    /**
     * The notebook-state epoch a task submitted now carries: a new one when a cell class's static
     * field was assigned or the contents of one sent to a worker changed (checked at each call).
     */
    long notebookEpoch() {
        if (classes.notebookValues.contentsChanged()) {
            NotebookState.kernelWrites();
        }
        return NotebookState.epoch();
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

    void dispatch() {
        dispatch(null);
    }

    /**
     * Sends queued tasks to READY workers with room, then takes back tasks for idle workers,
     * closes workers no longer needed and sees whether the pool has terminated. {@code submitted}:
     * the task its caller is submitting now, which that caller may wait for at once and read the
     * answer of itself ({@link PipeReader#readFor}); for any other task sent, the worker's reader
     * thread is woken.
     */
    private void dispatch(TaskFuture<?> submitted) {
        while (!queue.isEmpty() && broken == null && (state == State.RUNNING || state == State.SHUTDOWN)) {
            WorkerHandle best = null;
            int prefetch = queue.peek().prefetch;
            for (WorkerHandle w : workers) {
                if (w.state == WorkerState.READY && !w.exitsAfterOom && w.inFlight.size() < prefetch
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
            f.takeBackAsked = false;
            best.inFlight.add(f);
            best.reader.inFlightChanged(best.inFlight.size());
            best.sent++;
            boolean awaited = f == submitted && !f.chunk;
            boolean spinning = awaited && best.reader.callerSpins(); // the worker spins for the next task only then
            best.post(spinning ? MessageType.AWAITED_TASK : MessageType.TASK, f.id, f.payload, f);
            best.reader.taskSent(awaited);
            if (config.maxTasksPerWorker > 0 && best.sent >= config.maxTasksPerWorker) {
                exits.move(best, WorkerState.RETIRING);
                exits.ensureWorkers();
            }
        }
        if (queue.isEmpty()) {
            takeBackForIdleWorkers();
        }
        exits.closeUnneeded();
        maybeTerminate();
    }

    /**
     * An idle worker while another holds a task behind its running one: ask for that task back
     * (it comes back as SKIPPED unless it has started), so that no task waits behind a long one.
     */
    private void takeBackForIdleWorkers() {
        int idle = 0;
        for (WorkerHandle w : workers) {
            if (w.state == WorkerState.READY && w.inFlight.isEmpty()) {
                idle++;
            }
        }
        for (WorkerHandle w : workers) {
            if (idle == 0) {
                return;
            }
            if (w.inFlight.size() >= 2 && w.state.alive() && askBack(w, w.inFlight.peekLast())) {
                idle--;
            }
        }
    }

    boolean askBack(WorkerHandle w, TaskFuture<?> f) {
        if (f.takeBackAsked || f.isDone()) {
            return false;
        }
        f.takeBackAsked = true;
        w.post(MessageType.CANCEL, f.id, Payloads.encodeCancel(false), null);
        return true;
    }

    /** Whether some worker holds a task behind its running one (it may come back to be run elsewhere). */
    boolean anyHeldBehind() {
        for (WorkerHandle w : workers) {
            if (w.inFlight.size() >= 2) {
                return true;
            }
        }
        return false;
    }

    /** The reads of notebook state workers made from this owner, and their bytes. */
    NotebookValues notebookValues() {
        return classes.notebookValues;
    }

    /** {@code f} was cancelled by its user: drop it from the queue, or tell its worker. */
    void cancelled(TaskFuture<?> f, boolean interrupt) {
        WorkerHandle holder;
        synchronized (this) {
            if (queue.remove(f)) {
                maybeTerminate();
                return;
            }
            holder = f.worker;
            if (holder == null || !holder.state.alive() || !holder.inFlight.contains(f)) {
                return;
            }
            holder.post(MessageType.CANCEL, f.id, Payloads.encodeCancel(interrupt), null);
        }
        holder.flush();
        if (interrupt) {
            exits.afterGrace(config.cancelGraceMillis, () -> {
                // Only a task still running after the grace costs its worker; one held behind it never
                // starts (the worker skips it) and the running one is not to blame.
                if (holder.inFlight.peekFirst() == f && holder.state.alive()) {
                    exits.kill(holder, null); // the task ignored the interrupt; the exit requeues the rest
                }
                return List.of();
            });
        }
    }

    void maybeTerminate() {
        stopping.maybeTerminate();
    }

    void shutdown() {
        stopping.shutdown();
    }

    List<TaskFuture<?>> stopNow() {
        return stopping.stopNow();
    }

    void fail(Throwable why) {
        stopping.fail(why);
    }

    boolean isShutdown() {
        return stopping.isShutdown();
    }

    boolean isTerminated() {
        return stopping.isTerminated();
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        return stopping.awaitTermination(nanos);
    }

    synchronized List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerHandle w : workers) {
            if (w.state == WorkerState.READY || w.state == WorkerState.STARTING) {
                pids.add(w.pid());
            }
        }
        return pids;
    }

    @Override
    public synchronized String toString() {
        StringBuilder s = new StringBuilder(describeState()).append(", queued ").append(queue.size());
        for (WorkerHandle w : workers) {
            s.append(", ").append(w).append(' ').append(w.state).append(" holding ").append(w.inFlight.size());
        }
        return s.toString();
    }

    /** Frames the current workers' waiting callers read themselves, for tests. */
    synchronized long framesReadByCallers() {
        long n = 0;
        for (WorkerHandle w : workers) {
            n += w.reader.framesReadByCallers();
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
