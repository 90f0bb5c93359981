package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The worker processes this JVM started that are still running, and what becomes of them when
 * this JVM exits normally (the last non-daemon thread ends, or {@code System.exit}): a shutdown
 * hook kills them and waits, at most {@link Timing#EXIT_WAIT_MILLIS} in all, until they have
 * exited and the threads reading their pipes have seen the end. Workers also halt by themselves
 * when their input ends, which covers an owner that is killed; the hook makes a normal exit leave
 * no worker behind even for the milliseconds a worker needs to notice, as Python's
 * {@code multiprocessing} terminates its pools' workers at exit. From then on no pool starts a
 * worker, so a killed one is not replaced; tasks still running fail as their workers die.
 *
 * <p>Without it, a JVM holding an open pool took 0.3-0.5 s longer to exit than one without
 * (measured on the course machines, JDK 17): at exit HotSpot waits up to 300 ms for threads that
 * are inside native code, and each worker keeps three there (the owner's reads of its standard
 * output and standard error, and the JDK's wait for the process to end). Killing the workers first
 * lets those threads return. Costs: one set entry per worker while it runs; at exit, one signal
 * per worker and the time the workers take to die.
 */
final class LiveWorkers {
    private static final Set<WorkerHandle> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean exiting;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(LiveWorkers::killAll, "ipc-pool-exit"));
        } catch (IllegalStateException alreadyExiting) {
            // a pool started by another shutdown hook: its workers halt when their input ends
        }
    }

    private LiveWorkers() {
    }

    /** Tracks {@code w} until its process exits; kills it at once if this JVM is exiting. */
    static void add(WorkerHandle w) {
        LIVE.add(w);
        w.process.onExit().thenRun(() -> LIVE.remove(w));
        if (exiting) {
            w.kill();
        }
    }

    /** Whether this JVM is exiting: pools start no more workers (a killed one is not replaced). */
    static boolean exiting() {
        return exiting;
    }

    private static void killAll() {
        exiting = true;
        List<WorkerHandle> workers = new ArrayList<>(LIVE);
        if (workers.isEmpty()) {
            return;
        }
        workers.forEach(WorkerHandle::kill);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Timing.EXIT_WAIT_MILLIS);
        try {
            for (WorkerHandle w : workers) {
                w.process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                w.awaitPipesEnded(deadline);
            }
        } catch (Exception timedOutOrInterrupted) {
            // the JVM exits anyway; a worker still alive halts when its input ends
        }
    }
}
