package org.ipccourse.pool;

import java.io.DataInputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import org.ipccourse.bytes.PrimitiveArrays;

/**
 * The large primitive arrays of one payload, in the order its writer met them: the bulk section
 * that opens a payload (tag {@link #TAG}, see the package documentation), read straight from the
 * stream into the arrays, and handed out one by one while the rest of the payload is decoded.
 *
 * <p>Why the arrays come first: a receiver reads each array's elements from the pipe into the
 * array itself, in slices of {@link FrameDecoder#READ_SLICE} bytes, so it never holds the
 * payload's bytes and the decoded array at once (the frame's bytes are only the small rest), and
 * every array is complete before any {@code readObject}, {@code readResolve} or record constructor
 * of the payload can see it. Costs: one slice buffer per payload and a copy of each slice while it
 * is in cache (a {@code byte[]} is read straight into itself after its first slice); no
 * per-element work on a little-endian machine.
 */
final class BulkArrays {
    /** The tag of a payload's bulk section. */
    static final byte TAG = 11;
    /** The array types, by the kind number written to the table and the stream. */
    static final Class<?>[] KINDS = {byte[].class, short[].class, char[].class, int[].class,
        long[].class, float[].class, double[].class};
    /** A payload without large arrays. */
    static final Object[] NONE = new Object[0];

    private final Object[] arrays;
    private int next;

    BulkArrays(Object[] arrays) {
        this.arrays = arrays;
    }

    /** The kind number of a primitive array type, or -1. */
    static int kindOf(Class<?> type) {
        for (int k = 0; k < KINDS.length; k++) {
            if (KINDS[k] == type) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The next array, which the payload's stream says is a {@code type} of {@code length}.
     *
     * @throws IOException if the bulk section holds no such array next
     */
    Object take(Class<?> type, int length) throws IOException {
        if (next >= arrays.length || arrays[next].getClass() != type || Array.getLength(arrays[next]) != length) {
            throw new IOException("payload corrupted: the stream names a " + type.getSimpleName() + " of "
                    + length + " elements that the bulk section does not hold next (" + next + " of "
                    + arrays.length + " taken)");
        }
        return arrays[next++];
    }

    /** Throws if the decoded payload left arrays of its bulk section unused. */
    void checkAllTaken() throws IOException {
        if (next != arrays.length) {
            throw new IOException("payload corrupted: " + (arrays.length - next) + " of the "
                    + arrays.length + " arrays of its bulk section were never used");
        }
    }

    /**
     * Reads a bulk section after its tag: int32 count, count times (int8 kind, int32 length), then
     * the elements of each array, little-endian. Allocates each array only once its first slice
     * has arrived, so a table that lies costs little.
     *
     * @param limit the payload bytes left after the tag; the section must fit in them
     * @param counted told each number of bytes read, as they are read
     * @return the section's size in bytes after the tag, and its arrays
     */
    static Read read(DataInputStream in, long limit, IntConsumer counted) throws IOException {
        return read(in, null, limit, counted);
    }

    /**
     * As {@link #read(DataInputStream, long, IntConsumer)}; when {@code pipe} is the stream under
     * {@code in}, the elements of arrays other than {@code byte[]} are read through its channel
     * ({@link PipeInput}: one copy fewer).
     */
    static Read read(DataInputStream in, PipeInput pipe, long limit, IntConsumer counted) throws IOException {
        int count = in.readInt();
        if (count < 0 || 4 + 5L * count > limit) {
            throw new IOException("payload corrupted: a bulk section of " + count + " arrays in " + limit + " bytes");
        }
        int[] kinds = new int[count];
        int[] lengths = new int[count];
        long size = 4 + 5L * count;
        long largest = 0;
        for (int i = 0; i < count; i++) {
            kinds[i] = in.readUnsignedByte();
            lengths[i] = in.readInt();
            if (kinds[i] >= KINDS.length || lengths[i] < 0) {
                throw new IOException("payload corrupted: bulk array of kind " + kinds[i] + " and length " + lengths[i]);
            }
            long bytes = (long) lengths[i] * PrimitiveArrays.elementBytes(KINDS[kinds[i]]);
            largest = Math.max(largest, bytes);
            size += bytes;
        }
        if (size > limit) {
            throw new IOException("payload corrupted: its bulk section needs " + size + " bytes, " + limit + " are left");
        }
        counted.accept((int) (4 + 5L * count));
        byte[] slice = new byte[(int) Math.min(FrameDecoder.READ_SLICE, largest)];
        ByteBuffer view = ByteBuffer.wrap(slice).order(ByteOrder.LITTLE_ENDIAN);
        Object[] arrays = count == 0 ? NONE : new Object[count];
        for (int i = 0; i < count; i++) {
            Class<?> type = KINDS[kinds[i]];
            if (type == byte[].class && lengths[i] > 0) {
                arrays[i] = readBytes(in, lengths[i], slice, counted);
                continue;
            }
            if (pipe != null && lengths[i] > 0) {
                arrays[i] = readThroughChannel(pipe, type, lengths[i], counted);
                continue;
            }
            int size1 = PrimitiveArrays.elementBytes(type);
            Object array = null;
            for (int at = 0; at < lengths[i] || array == null; ) {
                int n = Math.min(lengths[i] - at, slice.length / size1);
                in.readFully(slice, 0, n * size1);
                counted.accept(n * size1);
                if (array == null) {
                    array = Array.newInstance(type.getComponentType(), lengths[i]); // its first slice is here
                }
                PrimitiveArrays.get(view.clear(), array, at, n);
                at += n;
            }
            arrays[i] = array;
        }
        return new Read(size, arrays);
    }

    /** A {@code byte[]} of the section: its first slice through {@code slice}, the rest straight into it. */
    private static byte[] readBytes(DataInputStream in, int length, byte[] slice, IntConsumer counted) throws IOException {
        int first = Math.min(length, slice.length);
        in.readFully(slice, 0, first);
        counted.accept(first);
        byte[] array = java.util.Arrays.copyOf(slice, length); // its first slice is here
        for (int at = first; at < length; ) {
            int n = Math.min(FrameDecoder.READ_SLICE, length - at);
            in.readFully(array, at, n);
            counted.accept(n);
            at += n;
        }
        return array;
    }

    /**
     * An array of the section through the pipe's direct buffer, allocated once its first slice
     * has arrived; each read takes what the pipe has, and an element cut in two waits for the rest.
     */
    private static Object readThroughChannel(PipeInput pipe, Class<?> type, int length, IntConsumer counted)
            throws IOException {
        int size1 = PrimitiveArrays.elementBytes(type);
        ByteBuffer direct = pipe.slice().clear();
        Object array = null;
        int at = 0;
        for (long left = (long) length * size1; left > 0; ) {
            direct.limit((int) Math.min(direct.capacity(), direct.position() + left));
            int n = pipe.readInto(direct);
            if (n < 0) {
                throw new java.io.EOFException("the stream ended inside a bulk array");
            }
            counted.accept(n);
            left -= n;
            if (array == null && direct.hasRemaining()) {
                continue; // its first slice is not all here yet
            }
            if (array == null) {
                array = Array.newInstance(type.getComponentType(), length);
            }
            direct.flip();
            int k = direct.remaining() / size1;
            PrimitiveArrays.get(direct, array, at, k);
            at += k;
            direct.compact();
        }
        return array;
    }

    /** What {@link #read} read: the section's bytes after its tag, and its arrays. */
    record Read(long bytes, Object[] arrays) {
    }
}
