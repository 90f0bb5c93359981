package org.ipccourse.classes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import org.ipccourse.threads.LibraryThreads;

/**
 * The interrupt check that {@link CellClassAgent} puts into code compiled from notebook cells, at
 * every loop back-edge (each jump back to an earlier instruction). The notebook's "Interrupt Kernel"
 * interrupts the thread running the cell; a loop in cell code then ends within about
 * {@value #WATCH_MILLIS} ms with a {@link CellInterruptedException}, even when it never looks at
 * the interrupt flag itself. The same holds for a cell's code on any thread that is interrupted,
 * e.g. by {@code Future.cancel(true)}.
 *
 * <pre>{@code
 * // in a cell, on a kernel JVM started with -javaagent:ipc-course-lib.jar
 * double spin(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }
 * spin(Long.MAX_VALUE)   // Interrupt Kernel: CellInterruptedException within milliseconds
 * }</pre>
 *
 * <p>How: the check is a call through a {@link MutableCallSite} whose target does nothing while no
 * thread of this JVM is interrupted. A daemon thread, {@code cell-interrupt-watch}, started when
 * cell code first runs a loop, looks every {@value #WATCH_MILLIS} ms whether any thread's interrupt
 * flag is set; if one is, it switches the target to the real check (is the current thread
 * interrupted?), which makes the JVM deoptimize the compiled code that inlined the empty target, so
 * every cell loop checks its own thread at its next turn; once no flag is set any more, it switches
 * back. The check reads the flag and does not clear it. An interrupt that something clears again
 * before the watcher looks can go unnoticed by a cell loop. Only the kernel JVM's own copy of a cell
 * class is checked: the bytes shipped to worker JVMs are the class files as compiled, and a task
 * that ignores its interrupt in a worker is stopped by the pool, which kills and replaces that worker.
 *
 * <p>Costs: nothing per loop turn in code the JIT has compiled while no thread is interrupted (the
 * empty target is inlined and vanishes, so a cell's loops compile as they do in a worker); a call
 * per turn while the method is interpreted; one per-turn read of the flag while some thread is
 * interrupted, and a deoptimization of cell code on each switch; the watcher's wake-up, a look at
 * each live thread's flag, every {@value #WATCH_MILLIS} ms. Measured with {@code ./course bench
 * loops} (JDK 17, 2 cores, thread CPU time, 9 interleaved rounds): {@code long}- and {@code
 * int}-indexed, {@code while} and nested loops ran 3.0-3.1 ns per turn in the kernel and in a
 * worker, kernel/worker 0.99-1.01 for the first calls and after 2,000 calls; an endless compiled
 * cell loop ended 12 ms (median of 9, at most 21 ms) after its thread was interrupted. In the real
 * kernel (JJava), {@code spin(20_000_000)} ran at 1.00-1.05x a worker from its second call on; its
 * first call, and its first call after an interrupt, ran at 1.4x and 3x while the JIT compiled it
 * (again); "Interrupt Kernel" on {@code spin(Long.MAX_VALUE)} returned the cell within 0.1-0.3 s.
 *
 * <p>Why not a plain check each turn: measured in thread CPU time on JDK 17 (AMD EPYC, 2 cores), a
 * cell's {@code spin} loop above ran 8.0-8.2 ns per turn in the kernel against 3.0-3.1 in a worker
 * (2.6x) when called as a notebook calls it, a few long calls (the loop compiled on the stack or
 * from the profile of those calls), and in the real kernel it switched between 1.0x and 2.7x from
 * one call to the next; the same bytes without the agent ran 3.0. The per-turn check,
 * and equally a counted one that read the flag every 1,024th turn, left a branch in each turn of
 * the compiled loop. In the slow compilation disassembled (the counted form), C2 had unrolled the
 * loop four times with a side exit after each copy and kept every copy's {@code vcvtsi2sd} and
 * {@code vsqrtsd} in one register; as {@code vcvtsi2sd} merges into its destination register, each
 * turn waited for the previous turn's square root ({@code perf} put the samples on the instructions
 * after each {@code vsqrtsd}). Without the branch C2 unrolled the loop sixteen times over fourteen
 * registers and the square roots overlapped. Whether a loop hit this depended on the compilation
 * (after 2,000 short calls all loops ran at the worker's speed; int-indexed and nested loops mostly
 * did), so a loop check that leaves compiled code unchanged is the only form found that is as fast
 * as a worker in every case measured.
 */
public final class CellInterrupts {
    /** How often, in milliseconds, the watcher looks for an interrupted thread. */
    public static final int WATCH_MILLIS = 10;

    private static final MethodHandle NOTHING = MethodHandles.empty(MethodType.methodType(void.class));
    private static final MethodHandle CHECK_THREAD;
    private static final MutableCallSite SITE = new MutableCallSite(NOTHING);
    private static final MethodHandle CHECK = SITE.dynamicInvoker();

    static {
        try {
            CHECK_THREAD = MethodHandles.lookup().findStatic(CellInterrupts.class, "checkThread",
                    MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        LibraryThreads.daemon(CellInterrupts::watch, "cell-interrupt-watch").start();
    }

    private CellInterrupts() {
    }

    /**
     * Called by cell code at each loop back-edge: throws when the current thread is interrupted,
     * as soon as the watcher has seen the interrupt (within about {@value #WATCH_MILLIS} ms).
     *
     * @throws CellInterruptedException if the current thread's interrupt flag is set (left set)
     */
    public static void check() {
        try {
            CHECK.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("the interrupt check threw a checked exception", e);
        }
    }

    /** Whether loops now look at their thread's flag (some thread was interrupted at the last look). */
    static boolean armed() {
        return SITE.getTarget() == CHECK_THREAD;
    }

    private static void checkThread() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CellInterruptedException();
        }
    }

    private static void watch() {
        ThreadGroup root = LibraryThreads.topGroup();
        Thread[] threads = new Thread[64];
        while (true) {
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                return; // nobody but the JVM's exit interrupts this thread
            }
            int n;
            while ((n = root.enumerate(threads, true)) == threads.length) {
                threads = new Thread[threads.length * 2];
            }
            boolean any = false;
            for (int i = 0; i < n && !any; i++) {
                any = threads[i].isInterrupted();
            }
            java.util.Arrays.fill(threads, 0, n, null);
            if (any != armed()) {
                SITE.setTarget(any ? CHECK_THREAD : NOTHING);
                MutableCallSite.syncAll(new MutableCallSite[] {SITE});
            }
        }
    }
}
