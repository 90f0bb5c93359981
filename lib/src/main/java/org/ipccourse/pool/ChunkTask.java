package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;

/** One chunk of a {@code map}: applies the function to each input, in order, in one worker. */
final class ChunkTask<T, R> implements SerializableCallable<List<R>> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<? super T, ? extends R> fn;
    private final ArrayList<T> inputs;

    ChunkTask(SerializableFunction<? super T, ? extends R> fn, List<T> inputs) {
        this.fn = fn;
        this.inputs = new ArrayList<>(inputs);
    }

    @Override
    public List<R> call() {
        List<R> out = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            out.add(fn.apply(input));
        }
        return out;
    }
}
