package org.ipccourse.classes;

/**
 * The interrupt check that {@link CellClassAgent} puts into code compiled from notebook cells, at
 * every loop back-edge (each jump back to an earlier instruction). The notebook's "Interrupt Kernel"
 * interrupts the thread running the cell; a loop in cell code then ends at its next turn with a
 * {@link CellInterruptedException}, even when it never looks at the interrupt flag itself.
 *
 * <pre>{@code
 * // in a cell, on a kernel JVM started with -javaagent:ipc-course-lib.jar
 * double spin(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }
 * spin(Long.MAX_VALUE)   // Interrupt Kernel: CellInterruptedException within milliseconds
 * }</pre>
 *
 * <p>The check reads the flag and does not clear it. Only the kernel JVM's own copy of a cell class
 * is checked: the bytes shipped to worker JVMs are the class files as compiled, and a task that
 * ignores its interrupt in a worker is stopped by the pool, which kills and replaces that worker.
 *
 * <p>Costs: one {@code Thread.isInterrupted()} (a field read) per loop turn in cell code, no
 * allocation; code outside cells (the library, the JDK) is not changed. Measured with
 * {@code LoopCheckCost} (JDK 17, 2 cores shared with other work, load average 10): a cell's
 * {@code spin(30_000_000)} as the kernel runs it against the same class as compiled, 31 alternating
 * runs, twice: median ratio 0.94 and 0.98, spread 0.26-2.5, 1.01 [0.52-1.50] over 15 runs of
 * {@code spin(100_000_000)}. So no difference that machine could resolve, the medians within 6%
 * either way; on a quiet machine expect at most a few percent for a loop this tight, and
 * proportionally less for loops that do more work per turn.
 */
public final class CellInterrupts {
    private CellInterrupts() {
    }

    /**
     * Throws when the current thread is interrupted; called by cell code at each loop back-edge.
     *
     * @throws CellInterruptedException if the current thread's interrupt flag is set (left set)
     */
    public static void check() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CellInterruptedException();
        }
    }
}
