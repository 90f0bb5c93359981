package org.ipccourse.pool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Encoders and decoders, side by side, for the payloads that are not plain serialized objects:
 * INIT, TASK (its epoch header), CANCEL, OUTPUT, CLASS_REQUEST and CLASS_BYTES (see the package
 * documentation for their layout).
 */
final class Payloads {
    /** OUTPUT id of text a task printed to {@code System.out}. */
    public static final long STDOUT = 1;
    /** OUTPUT id of text a task printed to {@code System.err}. */
    public static final long STDERR = 2;

    private static final byte[] CANCEL_INTERRUPT = {1};
    private static final byte[] CANCEL_NO_INTERRUPT = {0};

    private Payloads() {
    }

    /**
     * INIT payload: the user filter pattern, the serialized initializer (may be empty), the
     * largest serialized result the owner accepts, whether the owner runs notebook cells (its
     * tasks' classes then come from the owner, rewritten: the worker prepares that path too), and
     * the tasks the worker's warm-up decodes and runs ({@link WarmUp#task}, {@link WarmUp#cellTask};
     * empty when there is none).
     */
    public record Init(String filterPattern, byte[] initializer, int maxPayload, boolean cells, byte[] warmUpTask,
            byte[] warmUpCellTask) {
    }

    /** Bytes before the serialized task in a TASK or AWAITED_TASK payload: the int64 epoch. */
    public static final int TASK_HEADER = 8;

    /**
     * TASK and AWAITED_TASK payload: the kernel's notebook-state {@code epoch}, then the task
     * serialized ({@link ObjectCodec#deserialize(byte[], int, java.util.List)} with offset
     * {@link #TASK_HEADER} reads it). Its large arrays are not copied until
     * {@link ChunkedBytes#settle} (the pool's submit settles it before it returns).
     *
     * @throws java.io.NotSerializableException naming the class that is not serializable
     */
    public static ChunkedBytes encodeTask(long epoch, Object task) throws IOException {
        return ObjectCodec.serializeChunked(epoch, task);
    }

    /** The epoch of a TASK or AWAITED_TASK payload. */
    public static long taskEpoch(byte[] payload) throws IOException {
        if (payload.length < TASK_HEADER) {
            throw new IOException("task payload of " + payload.length + " bytes has no epoch");
        }
        return new ByteReader(payload, 0, null).readLong(); // no stream objects: this runs once per task
    }

    /** CANCEL payload: whether to interrupt the task if it is running. */
    public static byte[] encodeCancel(boolean interrupt) {
        return interrupt ? CANCEL_INTERRUPT.clone() : CANCEL_NO_INTERRUPT.clone();
    }

    /** Whether a CANCEL payload asks to interrupt a running task. */
    public static boolean decodeCancel(byte[] payload) {
        return payload.length > 0 && payload[0] == 1;
    }

    /** A CLASS_BYTES payload: the class name and its bytes when the owner found them. */
    public record ClassBytes(String name, Optional<byte[]> bytes) {
    }

    public static byte[] encodeInit(Init init) {
        return write(out -> {
            out.writeUTF(init.filterPattern());
            out.writeInt(init.initializer().length);
            out.write(init.initializer());
            out.writeInt(init.maxPayload());
            out.writeBoolean(init.cells());
            out.writeInt(init.warmUpTask().length);
            out.write(init.warmUpTask());
            out.writeInt(init.warmUpCellTask().length);
            out.write(init.warmUpCellTask());
        });
    }

    public static Init decodeInit(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        String pattern = in.readUTF();
        byte[] initializer = new byte[in.readInt()];
        in.readFully(initializer);
        int maxPayload = in.readInt();
        boolean cells = in.readBoolean();
        byte[] warmUpTask = new byte[in.readInt()];
        in.readFully(warmUpTask);
        byte[] warmUpCellTask = new byte[in.readInt()];
        in.readFully(warmUpCellTask);
        return new Init(pattern, initializer, maxPayload, cells, warmUpTask, warmUpCellTask);
    }

    public static byte[] encodeClassRequest(String name) {
        return write(out -> out.writeUTF(name));
    }

    public static String decodeClassRequest(byte[] payload) throws IOException {
        return new DataInputStream(new ByteArrayInputStream(payload)).readUTF();
    }

    public static byte[] encodeClassBytes(ClassBytes reply) {
        return write(out -> {
            out.writeUTF(reply.name());
            out.writeBoolean(reply.bytes().isPresent());
            if (reply.bytes().isPresent()) {
                out.writeInt(reply.bytes().get().length);
                out.write(reply.bytes().get());
            }
        });
    }

    public static ClassBytes decodeClassBytes(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        String name = in.readUTF();
        if (!in.readBoolean()) {
            return new ClassBytes(name, Optional.empty());
        }
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new ClassBytes(name, Optional.of(bytes));
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }
}
