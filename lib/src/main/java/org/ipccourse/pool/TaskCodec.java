package org.ipccourse.pool;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the owner serializes and deserializes for the pool: tasks (with a size limit), results
 * and thrown exceptions. The limit on one message is a quarter of the owner's maximum heap, at
 * most 1 GiB: a message is held twice while it travels (serialized, and decoded), so a larger one
 * would risk the owner's heap. The system property {@code ipccourse.pool.maxMessageBytes} sets it.
 */
final class TaskCodec {
    private final ObjectCodec codec;
    final int maxPayload;

    TaskCodec(String filterPattern) {
        this.codec = new ObjectCodec(filterPattern);
        this.maxPayload = maxPayload();
    }

    static int maxPayload() {
        long byHeap = Runtime.getRuntime().maxMemory() / 4;
        long limit = Math.min(FrameDecoder.MAX_FRAME - 64L, byHeap);
        return Integer.getInteger("ipccourse.pool.maxMessageBytes", (int) limit);
    }

    /** What to say when {@code size} bytes exceed {@code limit}; {@code what} names the payload. */
    static String tooLarge(String what, long size, int limit) {
        return String.format(java.util.Locale.ROOT, "%s is %,d bytes serialized, more than the pool's limit of %,d"
                + " bytes per message (a quarter of the owner's maximum heap, at most 1 GiB; the system property"
                + " ipccourse.pool.maxMessageBytes sets it). Pass large data through shared memory instead"
                + " (org.ipccourse.shm.SharedMemory): send the segment's name, not its bytes", what, size, limit);
    }

    static byte[] serialize(Object task, String what) {
        return serialize(task, () -> what).toByteArray();
    }

    /** Serializes a task; {@code what} names it in the exception when it cannot be serialized. */
    static ChunkedBytes serialize(Object task, Supplier<String> what) {
        return serialize(() -> ObjectCodec.serializeChunked(task), task, what);
    }

    /** The encoding of a task, or an IllegalArgumentException naming it ({@code what}) and the cause. */
    private static ChunkedBytes serialize(Encoding encoding, Object task, Supplier<String> what) {
        try {
            return encoding.encode();
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(Shippable.notSerializable(what.get(), e.getMessage(),
                    task.getClass().getClassLoader()), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what.get() + " cannot be sent to a worker: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(what.get() + " is too large to serialize in the owner's heap ("
                    + e.getMessage() + "). Pass large data through shared memory instead"
                    + " (org.ipccourse.shm.SharedMemory): send the segment's name, not its bytes", e);
        }
    }

    /**
     * Serializes a task after its notebook-state {@code epoch} (the TASK payload) and refuses it
     * when it exceeds the limit. Its large arrays are referenced, not copied: {@link #settle} it
     * before the submitting call returns.
     */
    ChunkedBytes serializeTask(long epoch, Object task, Supplier<String> what) {
        ChunkedBytes payload = serialize(() -> Payloads.encodeTask(epoch, task), task, what);
        if (payload.size() > maxPayload) {
            throw new IllegalArgumentException(tooLarge(what.get(), payload.size(), maxPayload));
        }
        return payload;
    }

    /**
     * Makes a submitted task's payload independent of the caller's arrays before the submit
     * returns ({@link ChunkedBytes#settle}): no copy when it was written in full and
     * {@code mayBeSentAgain} is false, else a copy of its large arrays now.
     *
     * @throws IllegalArgumentException naming the task ({@code what}) when the copy does not fit
     *     in the owner's heap
     */
    static void settle(ChunkedBytes payload, boolean mayBeSentAgain, Supplier<String> what) {
        try {
            payload.settle(mayBeSentAgain);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(what.get() + " is too large to copy in the owner's heap ("
                    + e.getMessage() + "). Pass large data through shared memory instead"
                    + " (org.ipccourse.shm.SharedMemory): send the segment's name, not its bytes", e);
        }
    }

    @FunctionalInterface
    private interface Encoding {
        ChunkedBytes encode() throws IOException;
    }

    Object result(byte[] payload, Object[] arrays, List<ClassLoader> loaders, long id, WorkerHandle w) throws InvalidClassException {
        try {
            return codec.deserialize(payload, 0, arrays, loaders);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new InvalidClassException("the result of task " + id + " from " + w + " could not be read: "
                    + e.getMessage());
        }
    }

    Throwable thrown(byte[] payload, Object[] arrays, List<ClassLoader> loaders) {
        try {
            return (Throwable) codec.deserialize(payload, 0, arrays, loaders);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return new IllegalStateException("a task failed in a worker, and its exception could not be read: " + e, e);
        }
    }
}
