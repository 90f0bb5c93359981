package org.ipccourse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.ipccourse.measure.WarmupRule;
import org.ipccourse.procfs.ProcStat;

/**
 * Warms a pool up until its per-task time is a steady state: batches run until their times have
 * settled by the course's rule ({@link WarmupRule}) and the JIT compilers have gone quiet, in this
 * JVM and in every process it started (the pool's workers), for at least {@link #QUIET_NANOS};
 * after at least {@link #MIN_NANOS}, and at most {@link #CAP_NANOS}, after which a line on standard
 * error says that the figure that follows may still be falling.
 *
 * <p>Why the compilers: a batch-time rule alone cannot tell a plateau from the end. Measured on
 * the course machine, pinned to one CPU, {@code map} with chunk size 1 in windows of 20,000 tasks
 * took 114, 97, 63, 55, 39, 40, 31, 21, 17 and 19 µs per task while the C2 compiler thread of each
 * of the three JVMs used 1.6-2.0 s of CPU time in all; and the round trip of one task at a time
 * settled by the rule at 60 µs, on such a plateau, where the same pool reached 19 µs later.
 *
 * <p>Costs: reading {@code /proc/<pid>/task/*&#47;stat} for this JVM and each worker once per
 * batch (some 50 µs each). Where {@code /proc} cannot be read, only the rule and the times apply.
 */
public final class SteadyState {
    /** The shortest warm-up. */
    public static final long MIN_NANOS = 2_000_000_000L;
    /** The longest warm-up. */
    public static final long CAP_NANOS = 30_000_000_000L;
    /** How long the compilers must have been quiet. */
    public static final long QUIET_NANOS = 1_000_000_000L;
    /** Compiler CPU time over the quiet span that still counts as quiet (one clock tick of {@code /proc}). */
    static final long QUIET_COMPILER_MILLIS = 10;

    private SteadyState() {
    }

    /**
     * Runs {@code batch} (which returns nanoseconds per task over {@code batchSize} tasks) until
     * the steady state, as the class comment says.
     *
     * @return whether it settled before {@link #CAP_NANOS}
     */
    public static boolean warmUp(String name, LongSupplier batch, int batchSize) {
        WarmupRule rule = new WarmupRule();
        long start = System.nanoTime();
        long quietSince = start;
        long compilerMillis = compilerMillis();
        while (System.nanoTime() - start < CAP_NANOS) {
            boolean settled = rule.add(batchSize, Math.max(1, batch.getAsLong()));
            long now = System.nanoTime();
            long compiling = compilerMillis();
            if (compiling < 0) {
                quietSince = start; // no /proc: the rule decides alone
            } else if (compiling - compilerMillis > QUIET_COMPILER_MILLIS) {
                quietSince = now;
                compilerMillis = compiling;
            }
            if (settled && now - start >= MIN_NANOS && now - quietSince >= QUIET_NANOS) {
                return true;
            }
        }
        System.err.printf("%s: the warm-up did not settle within %d s (%,d tasks); the figure may still be falling%n",
                name, CAP_NANOS / 1_000_000_000L, rule.tasks());
        return false;
    }

    /**
     * CPU time used so far by the JIT compiler threads of this JVM and of the processes it
     * started, in milliseconds; -1 where {@code /proc} cannot be read.
     */
    static long compilerMillis() {
        long[] ticks = {0};
        try {
            ticks[0] += compilerTicks(ProcessHandle.current().pid());
            ProcessHandle.current().descendants().forEach(p -> ticks[0] += compilerTicks(p.pid()));
        } catch (UncheckedIOException | SecurityException e) {
            return -1;
        }
        return ticks[0] * 1000 / ProcStat.TICKS_PER_SECOND;
    }

    private static long compilerTicks(long pid) {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path thread : threads) {
                ticks += compilerTicks(thread);
            }
        } catch (IOException e) {
            if (pid == ProcessHandle.current().pid()) {
                throw new UncheckedIOException(e); // no /proc
            }
            // a worker that exited meanwhile
        }
        return ticks;
    }

    /** The CPU ticks of one thread if it is a JIT compiler thread, else 0 (also when it just ended). */
    private static long compilerTicks(Path thread) {
        return ProcStat.read(thread.resolve("stat"))
                .filter(stat -> stat.command().startsWith("C1 CompilerThre") || stat.command().startsWith("C2 CompilerThre"))
                .map(stat -> stat.userTicks() + stat.systemTicks())
                .orElse(0L);
    }
}
