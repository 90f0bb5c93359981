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
 * <p>Costs: one {@code Thread.isInterrupted()} (a volatile field read) per loop turn in cell code,
 * no allocation; code outside cells (the library, the JDK) is not changed. What that read costs
 * depends on how the JIT compiled the loop. Measured in thread CPU time (so load on the machine does
 * not move it), JDK 17, a cell's {@code spin(20_000_000)}
 * ({@code for (long i = 0; i < n; i++) s += Math.sqrt(i)}), 5 warm-up calls, then 4 rounds of 5
 * calls in the kernel and 5 in a worker: 2.75-2.9 ns per turn in the worker, and in the kernel
 * 7.7-8.1 ns (2.8x) once C2 has compiled {@code spin} as a whole method, 2.7-2.9 ns while the
 * on-stack-replacement (OSR) compilation of its loop runs. The same happens outside the kernel,
 * without the agent: a {@code long}-indexed loop with any per-turn memory access that C2 may not
 * hoist (a volatile or opaque read, a static counter, this check) runs 7.7 ns per turn instead
 * of 2.8 after a standard C2 compilation; with an {@code int} index, or a plain field read (which
 * C2 hoists out of the loop), it runs at 2.8 ns. So the cost is that C2 gives up its
 * optimisation of long-indexed counted loops (the loop nest it makes of them) when the loop
 * reads memory each turn, and the kernel then runs such a loop up to about 3x slower than a
 * worker; an {@code int}-indexed loop measured no slower.
 * {@code LoopCheckCost} did not see this because it timed the OSR-compiled loop only.
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
