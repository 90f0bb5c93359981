package org.ipccourse.pool;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.ipccourse.classes.CellRewriter;
import org.ipccourse.classes.NotebookState;

/**
 * Runs the task path in memory before the first task needs it: the owner encodes tasks and
 * decodes results while it waits for its first pool's workers to start, and a worker, after it
 * reported ready, decodes and runs a task the owner encoded for it (sent in its INIT frame, {@link
 * #task}) and encodes the result; a worker of a notebook kernel also rewrites, defines and
 * rebuilds a cell-like class ({@link #cells}). Nothing else is sent. A worker takes each of these
 * steps only while no frame waits for it: a task that has arrived runs at once and pays for its
 * path's first use itself.
 *
 * <p>Why: a fresh JVM pays for the path's first use (loading and initializing its classes,
 * linking the lambda factory and the method handles of a lambda's {@code writeReplace} and
 * {@code $deserializeLambda$}: measured in a fresh JVM, 15-35 ms for the first encode of a lambda
 * task and 5-11 ms for its first decode, then 0.1 ms each), and then runs it interpreted and in
 * profiled C1 code for thousands of tasks. The owner repeats its part, up to {@link #passes()}
 * times, for as long as its workers take to start (it would only wait), once per JVM. Those
 * passes take CPU time from the starting workers on 2 cores, so more is not better: fresh JVMs on
 * the course machine, alternating, 6 each, gave with 300 passes against 3,000 a mean of the first
 * 100 round trips of 748 against 882 µs (medians), a first start-up of 317 against 350 ms and
 * tasks 1,001-2,000 of 65 against 108 µs; with none, 921-1,028 µs for the first 100 (3 runs). A
 * worker makes one pass, so the first task finds the path's classes loaded and the lambda factory
 * linked, and decodes its task once more, the way later tasks of a known lambda go ({@link
 * #worker}); more passes would take CPU from the tasks.
 *
 * <p>A worker never encodes a task, so it gets its warm-up task encoded: encoding it there took
 * 15-23 ms of a fresh worker's 27-55 ms pass, and a task sent right after {@code build()} waited
 * behind the pass. Measured on the course machine, JDK 17, 2 workers, later pools of one JVM
 * (the owner warm), alternating, against the pass that encoded its own task: task 1 of a pool
 * 29.6 against 53.4 ms and a mean of 675 against 1,054 µs over the first 100 tasks, unpinned (8
 * pools each, medians); 60.9 against 110.5 ms and 987 against 1,579 µs pinned to one CPU (5
 * each). In a notebook kernel, where the pass also rewrites a cell class, a later pool's task 1
 * took 105 ms with the steps skipped while a frame waits, 137 ms without that check, and 89 ms
 * with no pass at all (6 pools each); in a fresh plain JVM's first pool, where the owner is slow
 * to send its first task, the mean of the first 100 was 564-837 µs with the check, 676-923
 * without, 670-1,080 with no pass (4 runs each). So the pass stays, and yields to a waiting
 * task.
 *
 * <p>{@code -Dipccourse.pool.warmUpPasses=0} turns both off (read each time, for measurements).
 * A failure here is ignored: the real task meets it and reports it.
 */
final class WarmUp {
    private static final String PASSES_PROPERTY = "ipccourse.pool.warmUpPasses";
    /** The owner's passes at most (they run interpreted at first, some 0.15 ms each). */
    private static final int DEFAULT_PASSES = 300;
    private static final AtomicBoolean OWNER_WARMED = new AtomicBoolean();

    private WarmUp() {
    }

    /**
     * The task a worker's warm-up decodes and runs ({@link #worker}), encoded here once per JVM;
     * empty when the warm-up is off or the encoding failed. A worker never encodes a task, so
     * encoding one there would only take CPU time from its first real task.
     */
    static byte[] task() {
        return passes() <= 0 ? new byte[0] : EncodedTask.BYTES;
    }

    /** The cell-like task a kernel's worker decodes and runs ({@link #cells}), encoded once per JVM; empty when off or not a kernel. */
    static byte[] cellTask(boolean cells) {
        return passes() <= 0 || !cells ? new byte[0] : EncodedCellTask.BYTES;
    }

    /**
     * The warm-up task, encoded when first asked for (15-35 ms in a fresh JVM, while its first
     * pool's workers boot). A holder of its own, as is the cell task's: an owner that runs no
     * cells never encodes that one.
     */
    private static final class EncodedTask {
        static final byte[] BYTES = encode(probe(1));
    }

    /** The cell-like warm-up task, encoded when a kernel's first pool asks for it. */
    private static final class EncodedCellTask {
        static final byte[] BYTES = encode(WarmUpCell.task(1));
    }

    private static byte[] encode(SerializableCallable<Integer> task) {
        try {
            return Payloads.encodeTask(0, task).toByteArray();
        } catch (Throwable e) {
            return new byte[0]; // no warm-up: the first real task meets the problem and reports it
        }
    }

    static int passes() {
        return Integer.getInteger(PASSES_PROPERTY, DEFAULT_PASSES);
    }

    /** A task like a notebook's: a serializable lambda capturing an int. */
    private static SerializableCallable<Integer> probe(int k) {
        return () -> k;
    }

    /**
     * The owner's side, once per JVM: encode tasks and decode results as {@link Scheduler#submit}
     * and the pipe readers do, until {@code done} (the workers are ready) or {@link #passes()}.
     */
    static void owner(TaskCodec codec, BooleanSupplier done) {
        if (!OWNER_WARMED.compareAndSet(false, true)) {
            return;
        }
        try {
            NotebookState.epoch(); // what every submit reads first
            byte[] result = ObjectCodec.serialize(1);
            List<ClassLoader> loaders = List.of(WarmUp.class.getClassLoader());
            for (int i = 0, n = passes(); i < n && !done.getAsBoolean(); i++) {
                SerializableCallable<Integer> task = Shippable.require(probe(i), "the warm-up task");
                codec.serializeTask(0, task, () -> "the warm-up task");
                codec.result(result, BulkArrays.NONE, loaders, 0, null);
            }
        } catch (Throwable ignored) {
            // the first real task meets the problem and reports it
        }
    }

    /**
     * A worker's side for a notebook kernel, after {@link #worker}: what the first task of a cell
     * class does besides, once: the class rewritten ({@link CellRewriter#forWorker}, which loads
     * the bytecode library), defined, and its lambda rebuilt through {@link
     * org.ipccourse.classes.CellLambdas}. On a class of its own ({@link WarmUpCell}), defined in a
     * class loader that is dropped afterwards.
     */
    static void cells(ObjectCodec codec, byte[] cellTask, BooleanSupplier frameWaiting) {
        try (InputStream in = WarmUp.class.getResourceAsStream("WarmUpCell.class")) {
            if (passes() <= 0 || in == null || cellTask.length == 0 || frameWaiting.getAsBoolean()) {
                return;
            }
            byte[] rewritten = CellRewriter.forWorker(in.readAllBytes());
            String name = WarmUpCell.class.getName();
            ClassLoader cellLoader = new ClassLoader("ipc-pool-warm-up", WarmUp.class.getClassLoader()) {
                @Override
                protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                    synchronized (getClassLoadingLock(n)) {
                        if (!n.equals(name)) {
                            return super.loadClass(n, resolve);
                        }
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, rewritten, 0, rewritten.length);
                    }
                }
            };
            if (frameWaiting.getAsBoolean()) {
                return;
            }
            new CompletableFuture<Object>().complete(1); // a class request waits on one
            pass(codec, cellTask, cellLoader);
        } catch (Throwable ignored) {
            // the first real task meets the problem and reports it
        }
    }

    /**
     * A worker's side: decode {@code task} (a TASK payload the owner encoded, {@link #task}), run
     * it, encode its result; then decode it once more, as a later task of a known lambda form is
     * decoded (through its class's constructor, {@link LambdaForms.Form}): on JDK 18 and later
     * core reflection runs on method handles, and its first call in a JVM spins them (10-12 ms
     * measured on JDK 25, 0.2 ms on JDK 17), which a second real task would otherwise wait for.
     */
    static void worker(ObjectCodec codec, ClassLoader loader, byte[] task, BooleanSupplier frameWaiting) {
        try {
            if (passes() <= 0 || task.length == 0 || frameWaiting.getAsBoolean()) {
                return;
            }
            pass(codec, task, loader);
            if (!frameWaiting.getAsBoolean()) {
                codec.deserialize(task, Payloads.TASK_HEADER, BulkArrays.NONE, List.of(loader));
            }
        } catch (Throwable ignored) {
            // the first real task meets the problem and reports it
        }
    }

    /** One task's way through a worker: its payload decoded with {@code loader}, run, its result encoded. */
    private static void pass(ObjectCodec codec, byte[] payload, ClassLoader loader) throws Exception {
        Object decoded = codec.deserialize(payload, Payloads.TASK_HEADER, BulkArrays.NONE, List.of(loader));
        ObjectCodec.serializeChunked(((Callable<?>) decoded).call());
    }
}
