package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One chunk of a {@code map}: a task that applies the function to each input, in order, in one
 * worker. The function travels serialized once per {@code map} call with an id, and the worker
 * deserializes it once per call rather than once per chunk (see {@link WorkerMain#function}). The
 * task is a lambda capturing the id, the function's bytes and the inputs, so the wire encodes it
 * directly (numbers and strings in the inputs and results as they are), not with Java
 * serialization.
 */
final class ChunkTask {
    private static final AtomicLong IDS = new AtomicLong();

    private ChunkTask() {
    }

    /**
     * The function of one {@code map} call, serialized once in the owner, and the kernel's
     * notebook-state epoch at the call, which every chunk carries.
     */
    record Fn(long id, byte[] bytes, ClassLoader loader, String description, long epoch) {
        static Fn of(SerializableFunction<?, ?> fn, long epoch) {
            return new Fn(IDS.incrementAndGet(), TaskCodec.serialize(fn, "the function " + fn),
                    fn.getClass().getClassLoader(), "the inputs of " + fn, epoch);
        }
    }

    /** The task for one chunk; it holds a copy of {@code inputs}. */
    static <T, R> SerializableCallable<List<R>> of(Fn fn, List<T> inputs) {
        long fnId = fn.id();
        byte[] fnBytes = fn.bytes();
        ArrayList<T> chunk = new ArrayList<>(inputs);
        return () -> apply(fnId, fnBytes, chunk);
    }

    @SuppressWarnings("unchecked")
    private static <T, R> List<R> apply(long fnId, byte[] fnBytes, List<T> inputs) throws Exception {
        Function<T, R> fn = (Function<T, R>) WorkerMain.function(fnId, fnBytes);
        List<R> out = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            out.add(fn.apply(input));
        }
        return out;
    }
}
