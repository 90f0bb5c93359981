package org.ipccourse.pool;

/**
 * Every time constant of the pool, owner and worker side, in one place: how long threads spin
 * before they park, how often the owner's reader threads look for answers, and the grace periods
 * after which the owner stops waiting for a worker. Spins trade CPU time for latency and are off on
 * a one-CPU machine, where spinning would only delay the thread that is being waited for. Two
 * values can be set by system properties (read each time they are used) so that tests need not wait
 * for the defaults: {@code ipccourse.pool.frameStallMillis} and {@code ipccourse.pool.exitGraceMillis}.
 */
final class Timing {
    private Timing() {
    }

    static final boolean ONE_CPU = Runtime.getRuntime().availableProcessors() == 1;

    // Owner side: who reads a worker's pipe (see PipeReader).

    /** How often an owner's reader thread looks for answers nobody reads while it steps aside. */
    static final long READER_TICK_NANOS = 1_000_000;
    /** Ticks without a task sent after which the reader thread reads (blocking) again. */
    static final int READER_QUIET_TICKS = 100;
    /**
     * How long a waiting caller spins before it parks, or, when it reads the worker's stream
     * itself ({@link PipeReader#readFor}), before it blocks in the read.
     */
    static final long CALLER_SPIN_NANOS = ONE_CPU ? 0 : 50_000;
    /**
     * After {@link #CALLER_EMPTY_SPINS_BEFORE_PAUSE} callers' spins in a row found nothing, this
     * many reads of that worker's stream block at once, and the worker, sent plain TASK frames,
     * blocks for its next task too, as both ends of a bare pipe do. Why: a spin holds a CPU, and
     * when the machine has none to spare (another user's work, the JIT compilers of three JVMs)
     * the thread it waits for cannot run until the spin ends. Measured on the course machine, 2
     * workers, {@code JavaCosts 300 1000 5 2}, with one busy process on one of the two CPUs, 3
     * alternating runs each: the round trip 13-17 µs against 28-129 µs when every read spun
     * first for up to 500 µs, the raw pipe's 9-13 µs in the same runs; on a quiet machine 6.0-10.8
     * against 6.2-8.5 µs. Pinned to one CPU, where a caller now blocks at once instead of yielding
     * in a loop, 9.6-9.8 µs against the raw pipe's 9.6-10.2. In fresh JVMs ({@code WarmupCurve
     * 2}, 3 alternating runs) the mean of the first 100 tasks was 338-502 against 529-647 µs, and
     * tasks 1,001-2,000 20-26 µs against 14-17 µs (or 69 µs in the slow mode, see {@link
     * #WORKER_SPIN_NANOS}): blocking reads in the band cost a wake-up each. A pause that doubles
     * after each pair of empty spins (up to 1,024 reads) and halves after each spin that finds its
     * answer, from 8 or 16 reads, was tried against this one (3 alternating runs each) and not
     * kept: tasks 1,001-2,000 at 33-74 and 22-32 µs against 25-26 µs, the slow mode back in two of
     * the three runs from 8, as spins resumed while the compilers still ran.
     */
    static final int CALLER_SPIN_PAUSE_READS = 64;
    /**
     * How many spins in a row must find nothing before the callers pause spinning: a single one
     * is usually a JIT compilation or a collection, not a lack of CPUs.
     */
    static final int CALLER_EMPTY_SPINS_BEFORE_PAUSE = 2;
    /** How often the reader thread looks whether a caller blocked reading was interrupted or cancelled. */
    static final long BLOCKED_CALLER_WATCH_NANOS = 5_000_000;
    /**
     * A waiting caller that does not read the worker's stream itself spins ({@link #CALLER_SPIN_NANOS}) only
     * when the worker answered its last awaited task within this time of the task's write; else it
     * parks at once. Why: a fresh pool's first few hundred tasks take 300-1,000 µs each, most of it
     * interpreted code, while the JIT compilers of three JVMs (owner and two workers) want the same
     * two CPUs; a caller spinning through such a wait holds one of them, and the compilers then
     * preempt the task's own threads (1-3 ms spikes). Measured on the course machine, fresh JVMs,
     * unpinned, with this rule and {@link #WORKER_SPIN_WORTH_NANOS} against spinning always: in 3
     * alternating runs of {@code WarmupCurve} each, median of tasks 1-100 318-346 against 497-551
     * µs, mean of the first 100 772-881 against 1,024-1,239 µs, steady state 8-11 against 9-10 µs
     * (warm answers come in tens of µs, well within the bound); in 4 more runs of 4,000 tasks each,
     * the first 100 differed by less than their spread (mean 725-1,215 against 976-1,081 µs). What
     * holds in every run: a caller waiting for a slow answer no longer burns a CPU for it, which
     * on a machine shared by a class is CPU time taken from someone else.
     */
    static final long CALLER_SPIN_WORTH_NANOS = 250_000;

    // Owner side: grace periods and watchdogs.

    /**
     * After a worker's process exited, how long the owner waits for the end of its protocol
     * stream and standard error (a grandchild may hold them open) before it reports the exit;
     * after the stream ended (or broke) with the process alive, how long before it kills it.
     */
    static long exitGraceMillis() {
        return Long.getLong("ipccourse.pool.exitGraceMillis", 1000);
    }

    /**
     * A frame whose header has arrived but whose payload has not grown for this long is taken as
     * a broken stream (a lying header, or bytes written around the protocol): the worker is killed
     * and its task fails, instead of a reader waiting for ever. A live worker writes a frame it has
     * begun without pausing, so only a stopped or corrupted worker trips it.
     */
    static long frameStallMillis() {
        return Long.getLong("ipccourse.pool.frameStallMillis", 10_000);
    }

    /** How often the watchdog looks for stalled frames. */
    static final long WATCHDOG_PERIOD_MILLIS = 500;
    /**
     * How long {@code shutdownNow} waits for workers to hand back the tasks they hold behind
     * their running one (so that they are returned as never started) before it kills them.
     */
    static final long STOP_TAKE_BACK_MILLIS = 500;
    /**
     * At this JVM's exit, how long in all the owner waits for the workers it kills to exit and for
     * its pipe readers to end ({@link LiveWorkers}); HotSpot itself would wait 300 ms for them.
     */
    static final long EXIT_WAIT_MILLIS = 200;
    /** Default time a cancelled task may ignore its interrupt before its worker is killed. */
    static final long DEFAULT_CANCEL_GRACE_MILLIS = 1000;
    /** Default time the pool's first workers have to report ready. */
    static final long DEFAULT_STARTUP_TIMEOUT_MILLIS = 60_000;

    // Worker side (see WorkerMain).

    /** How long a task runs before the worker's other thread takes over reading standard input. */
    static final long WORKER_TAKE_OVER_NANOS = 1_000_000;
    /** How long the worker thread without the reader role naps while no task runs. */
    static final long WORKER_IDLE_NAP_NANOS = 50_000_000;
    /**
     * How long a worker spins for the next frame before it blocks in the read, after answering an
     * AWAITED_TASK, when it has another CPU for the owner: the next task then finds it awake,
     * which saves the wake-up of an idle CPU (some 20 us on a virtual machine).
     *
     * <p>Known cost, measured and not solved: a fresh pool runs blocks of 500-3,000 tasks at
     * 60-75 µs instead of 10-15 µs in its first 10,000 tasks, unpinned. Timed with the worker's
     * clock, the answer's way back takes 57-65 µs in those blocks against 3-7 µs, and 30-35 µs
     * with a 20 µs spin: the block is the spin. The likely cause: a pipe's write wakes a thread
     * blocked reading it on the writer's CPU when no other CPU is idle (as while the JIT compilers
     * run), so after the worker has blocked once it shares the caller's CPU, and spinning there
     * keeps the caller from reading the answer until the spin ends. Tried, each in alternating
     * fresh JVMs, and not kept:
     * <ul>
     * <li>yielding the CPU during the spin: the blocks went, but a spinning caller then held the
     * CPU from the yielded worker (in the library's tests callers read as few as 14 of 500
     * answers themselves);
     * <li>not spinning for 32 tasks after a spin that found nothing: no blocks, but caller and
     * worker then stay on one CPU (tasks 1,001-2,000 at 17-27 µs against 12-78 µs, a median of
     * 17 µs, as it is);
     * <li>the same only when the task came within 25 µs of an empty spin's end: 15-33 µs, a
     * median of 21, and a slower steady state (7.3-9.5 against 6.6-8.5 µs) for the same reason;
     * <li>caller and worker each yielding once as they start spinning: no blocks, but one CPU
     * again (24-32 µs);
     * <li>a 20 µs spin: tasks 1,001-2,000 at 15-52 µs, mostly about 50;
     * <li>stopping the spin when the answer is still unread in the pipe 5 µs after it began
     * (Linux's {@code FIONREAD} on the pipe's write end): in a plain JVM tasks 1,001-10,000 at
     * 39 against 76 µs, but in a notebook kernel the slow phase then lasted 18,000-30,000 tasks
     * at 30-60 µs instead of 12,000-15,000 at 80-110 (batches of 3,000, 3 kernels each: it is
     * bound in wall time, the compilers' work, not in tasks), and notebook 03's warm-up rule took
     * it for the steady state (a "warm" round trip of 35.8 µs).
     * </ul>
     * Only pure spins on two CPUs reach the 5-10 µs round trip.
     */
    static final long WORKER_SPIN_NANOS = ONE_CPU ? 0 : 50_000;
    /**
     * A worker spins ({@link #WORKER_SPIN_NANOS}) only when its last wait for the next frame after
     * answering an AWAITED_TASK took at most this long (wake-up included, when it did not spin):
     * while the owner runs interpreted, its next task comes hundreds of µs later and a spin would
     * only take CPU time from the compilers (see {@link #CALLER_SPIN_WORTH_NANOS}).
     */
    static final long WORKER_SPIN_WORTH_NANOS = 100_000;
}
