package org.ipccourse.pool;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.ipccourse.threads.LibraryThreads;

/**
 * The worker half of the {@link Scheduler}: starting workers, their {@link WorkerState}
 * transitions ({@link #move}, the only place a state is written), and how a worker's end is
 * seen and reported. Every method runs under the scheduler's lock unless it says otherwise.
 *
 * <p>A worker has ended when its protocol stream has ended, its process has exited and its
 * standard error has closed ({@link WorkerHandle.End}); the exit is then reported once
 * ({@link #report}). The reader thread sees the first, the JDK's process reaper the second (its
 * callback only hands the news to the pool's timer thread, so no JDK thread waits for ours), the
 * stderr thread the third. If the process has exited but a grandchild holds its pipes open, the
 * exit is reported {@link Timing#exitGraceMillis} later anyway; if the stream ended or broke but
 * the process lives on, it is killed after that grace.
 *
 * <p>A worker that dies before it is ready is a start-up failure when it exits on its own (an
 * initializer that threw, a JVM option refused): the pool then breaks at once. One killed by a
 * signal was killed from outside: it is replaced, up to {@link #START_FAILURE_BUDGET} such deaths
 * in a row without a worker becoming ready in between.
 */
final class WorkerExits {
    /** Workers in a row that may be killed before they are ready before the pool gives up. */
    static final int START_FAILURE_BUDGET = 8;

    private final Scheduler s;
    private final List<String> command;
    private final byte[] initPayload;
    private final ScheduledExecutorService timer;
    /** Processes spawned before the pool was set up, taken by the first {@link #start}s. */
    private final ArrayDeque<Process> spawned;
    private int started;
    private int startFailures;

    WorkerExits(Scheduler scheduler, List<String> command, List<Process> spawned, byte[] initPayload) {
        this.s = scheduler;
        this.command = command;
        this.spawned = new ArrayDeque<>(spawned);
        this.initPayload = initPayload;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> LibraryThreads.daemon(r, "ipc-pool-timer"));
        timer.scheduleWithFixedDelay(this::watchFrames, Timing.WATCHDOG_PERIOD_MILLIS,
                Timing.WATCHDOG_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The one place a worker's state changes. */
    void move(WorkerHandle w, WorkerState target) {
        if (target == WorkerState.DYING) {
            w.diedFrom = w.state;
        }
        w.state = w.state.to(target);
        if (target != WorkerState.READY && target != WorkerState.RETIRING) {
            w.reader.eager(true); // READY, or the end of the stream, is due without a task
        } else {
            w.reader.eager(false);
        }
    }

    /** Starts workers until the pool has as many starting or ready ones as it keeps, if it needs them. */
    void ensureWorkers() {
        boolean needed = s.state == Scheduler.State.RUNNING
                || s.state == Scheduler.State.SHUTDOWN && (!s.queue.isEmpty() || s.anyHeldBehind());
        while (needed && s.broken == null && !LiveWorkers.exiting()
                && s.count(WorkerState.STARTING) + s.count(WorkerState.READY) < s.config.workers) {
            start();
        }
    }

    /**
     * Spawns {@code n} worker processes at once, before anything else of a new pool, so that their
     * JVMs boot while the owner sets up the pool's threads and codecs: a JVM takes some 80 ms of a
     * CPU to boot here, and in a fresh JVM the owner's own set-up between two workers' spawns (its
     * classes, lambdas and threads, first used) took 80-150 ms, which the second worker waited for.
     * The workers wait for their INIT frame, written when they are wrapped in handles
     * ({@link #start}). A spawn that fails stops the spawning; {@link #start} then meets the
     * failure again and reports it.
     */
    static List<Process> spawnAhead(List<String> command, int n) {
        List<Process> processes = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                processes.add(new ProcessBuilder(command).start());
            }
        } catch (IOException e) {
            // start() spawns again and reports it
        }
        return processes;
    }

    private void start() {
        try {
            Process process = spawned.isEmpty() ? new ProcessBuilder(command).start() : spawned.poll();
            WorkerHandle w = new WorkerHandle(++started, process, s.codec.maxPayload + 64, s.answers);
            s.workers.add(w);
            s.publish();
            w.start(() -> event(w, WorkerHandle.End.STDERR));
            w.post(MessageType.INIT, w.number, initPayload, null);
            w.process.onExit().thenRun(() -> onTimer(() -> event(w, WorkerHandle.End.PROCESS)));
        } catch (IOException e) {
            s.fail(new IllegalStateException("could not start a worker JVM with " + command + ": " + e.getMessage(), e));
        }
    }

    void ready(WorkerHandle w) {
        synchronized (s) {
            if (w.state == WorkerState.STARTING) {
                move(w, WorkerState.READY);
                startFailures = 0;
            }
            s.notifyAll();
            s.dispatch();
        }
        s.flushAll();
    }

    void initFailed(WorkerHandle w, Throwable cause) {
        s.fail(new IllegalStateException("the pool's initializer threw " + cause + " in " + w
                + "; the pool does not restart workers whose initializer fails", cause));
    }

    /** Closes the input of retiring workers that hold nothing, and of idle ones a winding-down pool no longer needs. */
    void closeUnneeded() {
        boolean windingDown = s.state != Scheduler.State.RUNNING || s.broken != null;
        boolean idleNotNeeded = windingDown && s.queue.isEmpty() && !s.anyHeldBehind();
        for (WorkerHandle w : s.workers) {
            if (w.inFlight.isEmpty() && (w.state == WorkerState.RETIRING
                    || idleNotNeeded && (w.state == WorkerState.READY || w.state == WorkerState.STARTING))) {
                move(w, WorkerState.CLOSED);
                w.postClose();
            }
        }
    }

    /** Kills a worker; {@code problem}: why, when that makes the stream broken, else null. */
    void kill(WorkerHandle w, String problem) {
        if (w.state != WorkerState.DYING && w.state != WorkerState.EXITED) {
            move(w, WorkerState.DYING);
            if (w.problem == null) {
                w.problem = problem;
            }
        }
        w.kill();
    }

    /** The reader thread saw the end of the stream (not under the lock). */
    void streamEnded(WorkerHandle w, String problem) {
        synchronized (s) {
            if (w.problem == null) {
                w.problem = problem;
            }
            if (w.process.isAlive()) {
                afterGrace(Timing.exitGraceMillis(), () -> {
                    w.kill();
                    return List.of();
                });
            }
        }
        event(w, WorkerHandle.End.STREAM);
    }

    /** One of the worker's ends (not under the lock). */
    private void event(WorkerHandle w, WorkerHandle.End end) {
        List<Runnable> after = new ArrayList<>();
        synchronized (s) {
            w.ended.add(end);
            if (w.state != WorkerState.DYING && w.state != WorkerState.EXITED) {
                move(w, WorkerState.DYING);
            }
            if (end == WorkerHandle.End.PROCESS) {
                afterGrace(Timing.exitGraceMillis(), () -> w.state == WorkerState.DYING ? report(w) : List.of());
            }
            if (w.state == WorkerState.DYING && w.ended.size() == WorkerHandle.End.values().length) {
                after.addAll(report(w));
            }
        }
        after(after);
    }

    private void after(List<Runnable> completions) {
        s.flushAll();
        s.completer.executeAll(completions);
    }

    /** The worker is gone: requeue what it held that never started, blame what it ran, replace it. */
    private List<Runnable> report(WorkerHandle w) {
        move(w, WorkerState.EXITED);
        s.workers.remove(w);
        s.publish();
        int status = w.exitStatus();
        String why = w + " " + (w.problem != null ? "broke the protocol (" + w.problem + ") and " : "")
                + "exited with " + WorkerDiedException.describeStatus(status);
        List<Runnable> after = new ArrayList<>();
        TaskFuture<?> head = w.inFlight.peekFirst();
        boolean headRanOutOfMemory = w.exitsAfterOom && !w.oomTaskAnswered; // its answer was lost
        if (head != null && head.delivered && !head.isDone()
                && (!w.exitsAfterOom || headRanOutOfMemory || !head.payload.canBeSent())) {
            w.inFlight.pollFirst();
            String during = !w.exitsAfterOom ? " while running task " + head.id
                    : headRanOutOfMemory ? " after task " + head.id + " ran out of memory; its answer was lost,"
                            + " so the task is not run again: give the workers more heap (-Xmx in workerJvmOptions)"
                            + " or the task less data"
                    : " after an OutOfMemoryError in the task before task " + head.id + ", which was sent without a"
                            + " copy of its large arrays and so is not run elsewhere: submit it again";
            WorkerDiedException e = new WorkerDiedException(why + during + w.lastWords(), w.number, w.pid(), status);
            after.add(() -> head.completeExceptionally(e));
        }
        boolean canRun = s.broken == null && (s.state == Scheduler.State.RUNNING || s.state == Scheduler.State.SHUTDOWN);
        for (Iterator<TaskFuture<?>> it = w.inFlight.descendingIterator(); it.hasNext(); ) {
            TaskFuture<?> waiting = it.next();
            waiting.worker = null;
            waiting.takeBackAsked = false;
            if (canRun) {
                s.queue.addFirst(waiting); // it never started: another worker runs it
            } else {
                after.add(() -> waiting.cancelByPool("task " + waiting.id + " was cancelled: the pool stopped"));
            }
        }
        w.inFlight.clear();
        w.reader.inFlightChanged(0);
        if (w.diedFrom == WorkerState.STARTING && s.broken == null && s.state == Scheduler.State.RUNNING) {
            if (!WorkerExit.bySignal(status)) {
                s.fail(new IllegalStateException(why + " before it was ready" + w.lastWords()));
            } else if (++startFailures > START_FAILURE_BUDGET) {
                s.fail(new IllegalStateException(startFailures + " workers in a row were killed before they were"
                        + " ready; the last: " + why + w.lastWords()));
            }
        }
        ensureWorkers();
        s.dispatch();
        s.notifyAll();
        return after;
    }

    /**
     * Runs {@code action} under the lock after {@code millis}, unless the pool has terminated; the
     * completions it returns run on the completer after the lock is released.
     */
    void afterGrace(long millis, Supplier<List<Runnable>> action) {
        try {
            timer.schedule(() -> {
                List<Runnable> completions;
                synchronized (s) {
                    completions = action.get();
                }
                after(completions);
            }, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // terminated: no worker left
        }
    }

    private void onTimer(Runnable action) {
        try {
            timer.execute(action);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    /**
     * On the timer thread: a frame whose header has arrived and whose bytes have stopped arriving
     * for {@link Timing#frameStallMillis} means the stream is broken; the worker is killed.
     */
    private void watchFrames() {
        long now = System.nanoTime();
        for (WorkerHandle w : s.published()) {
            int frame = w.reader.frameInProgress();
            long bytes = w.reader.bytesRead();
            if (frame == 0 || bytes != w.watchedBytes) {
                w.watchedBytes = bytes;
                w.stalledSince = now;
            } else if (now - w.stalledSince > TimeUnit.MILLISECONDS.toNanos(Timing.frameStallMillis())) {
                synchronized (s) {
                    kill(w, "a frame of " + frame + " bytes stopped arriving for " + Timing.frameStallMillis()
                            + " ms; did something write to the worker's file descriptor 1 directly?");
                }
            }
        }
    }

    void terminated() {
        timer.shutdown();
    }
}
