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
 * decodes results while it waits for its first pool's workers to start, and a worker decodes, runs
 * and encodes one task after it reported ready, before it reads its first frame; a worker of a
 * notebook kernel also rewrites, defines and rebuilds a cell-like class ({@link #cells}). Nothing
 * is sent.
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
 * worker makes one pass, which needs no frame, so the first task finds the path's classes loaded
 * and the lambda factory linked; more passes would take CPU from the tasks.
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
    static void cells(ObjectCodec codec) {
        try (InputStream in = WarmUp.class.getResourceAsStream("WarmUpCell.class")) {
            if (passes() <= 0 || in == null) {
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
            new CompletableFuture<Object>().complete(1); // a class request waits on one
            pass(codec, WarmUpCell.task(1), cellLoader);
        } catch (Throwable ignored) {
            // the first real task meets the problem and reports it
        }
    }

    /** A worker's side: decode a task, run it, encode its result. */
    static void worker(ObjectCodec codec, ClassLoader loader) {
        try {
            if (passes() <= 0) {
                return;
            }
            pass(codec, probe(1), loader);
        } catch (Throwable ignored) {
            // the first real task meets the problem and reports it
        }
    }

    /** One task's way through a worker: its payload decoded with {@code loader}, run, its result encoded. */
    private static void pass(ObjectCodec codec, SerializableCallable<?> task, ClassLoader loader) throws Exception {
        byte[] payload = Payloads.encodeTask(0, task).toByteArray();
        Object decoded = codec.deserialize(payload, Payloads.TASK_HEADER, BulkArrays.NONE, List.of(loader));
        ObjectCodec.serializeChunked(((Callable<?>) decoded).call());
    }
}
