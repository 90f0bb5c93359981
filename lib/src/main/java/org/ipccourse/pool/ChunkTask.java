package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One chunk of a {@code map}: applies the function to each input, in order, in one worker. The
 * function travels serialized once per {@code map} call with an id, and the worker deserializes
 * it once per call rather than once per chunk (see {@link WorkerMain#function}).
 */
final class ChunkTask<T, R> implements SerializableCallable<CompactList> {
    private static final long serialVersionUID = 1L;
    private static final AtomicLong IDS = new AtomicLong();

    /** The function of one {@code map} call, serialized once in the owner. */
    record Fn(long id, byte[] bytes, ClassLoader loader, String description) {
        static Fn of(SerializableFunction<?, ?> fn) {
            return new Fn(IDS.incrementAndGet(), Scheduler.serialize(fn, "the function " + fn),
                    fn.getClass().getClassLoader(), "the inputs of " + fn);
        }
    }

    private final long fnId;
    private final byte[] fnBytes;
    private final Object inputs; // a CompactList, which deserializes as an ArrayList<T>

    ChunkTask(Fn fn, List<T> inputs) {
        this.fnId = fn.id();
        this.fnBytes = fn.bytes();
        this.inputs = new CompactList(new ArrayList<>(inputs));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompactList call() throws Exception {
        Function<T, R> fn = (Function<T, R>) WorkerMain.function(fnId, fnBytes);
        List<T> in = (List<T>) (Object) inputs;
        List<R> out = new ArrayList<>(in.size());
        for (T input : in) {
            out.add(fn.apply(input));
        }
        return new CompactList(out);
    }
}
