package org.ipccourse.pool;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.ipccourse.threads.LibraryThreads;

/**
 * Closes the pools nobody can reach any more, so that re-running a notebook cell that creates a
 * pool does not leave the old pool's worker JVMs behind.
 *
 * <ul>
 *   <li>A pool whose object becomes unreachable is shut down by a {@link Cleaner}, as Python
 *       terminates a {@code Pool} that is collected. That needs a garbage collection, which a
 *       kernel may not run for a long time, hence the next rule.</li>
 *   <li>In a notebook, a variable is a static field of its cell's class. Running the cell again
 *       either assigns the same field (the same source keeps its class) or declares the variable
 *       anew in a new class while the old class keeps the old pool; either way the old pool is
 *       out of every cell's reach but never collected. So when a cell creates a pool, every open
 *       pool held by a notebook variable that this cell declares is shut down, and the cell's
 *       output says so.</li>
 * </ul>
 * Both shut a pool down as {@link ProcessPool#shutdown} does: tasks already submitted still run
 * and complete their futures, then the workers exit. A pool that another variable also holds
 * ({@code ProcessPool b = a;} before {@code a} is declared again) is shut down too; using it then
 * fails with a {@code RejectedExecutionException} that says the pool is shut down.
 * The cell that runs is the one whose {@code do_it$} method (JShell's method for a cell's code)
 * is on the creating thread's stack.
 *
 * <p>Costs: per pool created, a walk of the creating thread's stack to the first cell frame and a
 * reflective look at the static fields of the cells that created the open pools.
 */
final class OpenPools {
    private static final Cleaner CLEANER = Cleaner.create(r -> LibraryThreads.daemon(r, "ipc-pool-cleaner"));
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final List<Open> OPEN = new ArrayList<>();

    private OpenPools() {
    }

    /** One open pool: weakly held, with the cell class that created it (null outside a notebook). */
    private record Open(WeakReference<ProcessPool> pool, WeakReference<Class<?>> cell, Scheduler scheduler) {
    }

    /** Registers a pool that just started; shuts down the pools the creating cell makes unreachable. */
    static void register(ProcessPool pool, Scheduler scheduler) {
        CLEANER.register(pool, new ShutDown(scheduler));
        Class<?> cell = creatingCell().orElse(null);
        List<String> closed = new ArrayList<>();
        synchronized (OPEN) {
            for (Iterator<Open> it = OPEN.iterator(); it.hasNext(); ) {
                Open o = it.next();
                ProcessPool old = o.pool().get();
                Class<?> oldCell = o.cell().get();
                if (old == null || old.isShutdown()) {
                    it.remove();
                    continue;
                }
                if (cell == null || oldCell == null) {
                    continue;
                }
                for (String variable : variablesHolding(oldCell, old)) {
                    if (declares(cell, variable)) {
                        int n = old.workerCount();
                        closed.add("`" + variable + "` (" + n + (n == 1 ? " worker, pid " : " workers, pids ")
                                + old.workerPids() + ")");
                        o.scheduler().shutdown();
                        it.remove();
                        break;
                    }
                }
            }
            OPEN.add(new Open(new WeakReference<>(pool), new WeakReference<>(cell), scheduler));
        }
        if (!closed.isEmpty()) {
            System.out.println("ProcessPool: shut down the pool held by " + String.join(", ", closed)
                    + " before this cell ran again; nothing could reach it any more.");
        }
    }

    /** The class of the notebook cell whose code is creating the pool, if any. */
    private static Optional<Class<?>> creatingCell() {
        return WALKER.walk(frames -> frames
                .filter(f -> f.getMethodName().equals("do_it$") && f.getClassName().startsWith("REPL.$JShell$"))
                .<Class<?>>map(StackWalker.StackFrame::getDeclaringClass)
                .findFirst());
    }

    private static List<String> variablesHolding(Class<?> cell, ProcessPool pool) {
        List<String> names = new ArrayList<>();
        for (Field f : cell.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                try {
                    f.setAccessible(true);
                    if (f.get(null) == pool) {
                        names.add(f.getName());
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a field we cannot read holds nothing we can close
                }
            }
        }
        return names;
    }

    private static boolean declares(Class<?> cell, String variable) {
        try {
            cell.getDeclaredField(variable);
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    /** The cleaning action: holds the scheduler, never the pool. */
    private record ShutDown(Scheduler scheduler) implements Runnable {
        @Override
        public void run() {
            scheduler.shutdown();
        }
    }
}
