package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How the {@link Scheduler}'s pool ends: {@code shutdown} (queued tasks run, then idle workers'
 * inputs close), {@code shutdownNow} (held tasks behind a running one are taken back, the rest
 * cancelled, the workers killed), a pool that breaks, and termination. Runs under the scheduler's
 * lock like the scheduler itself; it changes the pool's state, never a worker's (that is
 * {@link WorkerExits#move}).
 */
final class Stopping {
    private final Scheduler s;

    Stopping(Scheduler scheduler) {
        this.s = scheduler;
    }

    void maybeTerminate() {
        if (s.state == Scheduler.State.RUNNING && s.broken == null) {
            return;
        }
        if (s.workers.isEmpty() && s.state != Scheduler.State.TERMINATED) {
            s.state = Scheduler.State.TERMINATED;
            s.exits.terminated();
            s.notifyAll();
        }
    }

    void shutdown() {
        synchronized (s) {
            if (s.state == Scheduler.State.RUNNING) {
                s.state = Scheduler.State.SHUTDOWN;
            }
            s.dispatch();
        }
        s.flushAll();
    }

    /**
     * Stops everything: asks the s.workers for the tasks they hold behind their running one and
     * waits for them a moment ({@link Timing#STOP_TAKE_BACK_MILLIS}), then cancels the rest and
     * kills the s.workers. Returns the tasks that never started: the queued and the handed back.
     */
    List<TaskFuture<?>> stopNow() {
        List<TaskFuture<?>> never = new ArrayList<>();
        List<TaskFuture<?>> held = new ArrayList<>();
        synchronized (s) {
            if (s.state == Scheduler.State.RUNNING || s.state == Scheduler.State.SHUTDOWN) {
                s.state = Scheduler.State.STOPPED;
            }
            never.addAll(s.queue);
            s.queue.clear();
            for (WorkerHandle w : s.workers) {
                if (w.state.alive()) {
                    w.inFlight.stream().skip(1).forEach(f -> s.askBack(w, f));
                }
            }
        }
        s.flushAll();
        synchronized (s) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Timing.STOP_TAKE_BACK_MILLIS);
            try {
                for (long left; awaitingTakeBack() && (left = deadline - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.timedWait(s, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            never.addAll(s.handedBack);
            s.handedBack.clear();
            never.sort(java.util.Comparator.comparingLong(f -> f.id)); // in the order they were submitted
            for (WorkerHandle w : s.workers) {
                held.addAll(w.inFlight);
                w.inFlight.clear(); // settled here, so that the kill below blames nobody
                w.reader.inFlightChanged(0);
                s.exits.kill(w, null);
            }
            s.maybeTerminate();
        }
        for (TaskFuture<?> f : held) {
            f.cancelByPool("task " + f.id + " was cancelled by shutdownNow");
        }
        for (TaskFuture<?> f : never) {
            f.cancelByPool("task " + f.id + " never started: shutdownNow returned it");
        }
        return never;
    }

    private boolean awaitingTakeBack() {
        for (WorkerHandle w : s.workers) {
            if (w.state.alive()) {
                for (TaskFuture<?> f : w.inFlight) {
                    if (f.takeBackAsked) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Marks the pool s.broken: queued and held tasks fail with the reason, the s.workers are killed. */
    void fail(Throwable why) {
        List<TaskFuture<?>> lost = new ArrayList<>();
        synchronized (s) {
            if (s.broken != null) {
                return;
            }
            s.broken = why;
            lost.addAll(s.queue);
            s.queue.clear();
            for (WorkerHandle w : s.workers) {
                lost.addAll(w.inFlight);
                w.inFlight.clear();
                w.reader.inFlightChanged(0);
                s.exits.kill(w, null);
            }
            s.notifyAll();
            s.maybeTerminate();
        }
        RejectedExecutionException e = new RejectedExecutionException("the process pool broke before this task"
                + " finished: " + why.getMessage(), why);
        for (TaskFuture<?> f : lost) {
            s.completer.execute(() -> f.completeExceptionally(e));
        }
    }

    boolean isShutdown() {
        synchronized (s) {
            return s.state != Scheduler.State.RUNNING || s.broken != null;
        }
    }

    boolean isTerminated() {
        synchronized (s) {
            return s.state == Scheduler.State.TERMINATED;
        }
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        synchronized (s) {
            return awaitTerminated(nanos);
        }
    }

    private boolean awaitTerminated(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (s.state != Scheduler.State.TERMINATED) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(s, left);
        }
        return true;
    }
}
