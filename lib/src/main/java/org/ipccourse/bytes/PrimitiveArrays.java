package org.ipccourse.bytes;

import java.nio.ByteBuffer;

/**
 * Bulk copies between primitive arrays (all but {@code boolean[]}) and byte buffers, in the
 * buffer's byte order: the one place that turns a {@code double[]} and its kin into bytes and back
 * without going element by element. Used by the pool's encoding of large arrays and by the raw codec
 * of the measurement package.
 *
 * <pre>{@code
 * ByteBuffer bytes = ByteBuffer.allocate(8 * 3).order(ByteOrder.LITTLE_ENDIAN);
 * PrimitiveArrays.put(new double[] {1, 2, 3}, 0, 3, bytes);   // bytes.position() is now 24
 * double[] back = new double[3];
 * PrimitiveArrays.get(bytes.flip(), back, 0, 3);
 * }</pre>
 *
 * <p>Costs: one typed view per call and a copy at memory speed; nothing per element.
 */
public final class PrimitiveArrays {
    private PrimitiveArrays() {
    }

    /** Bytes per element of a primitive array type other than {@code boolean[]}, or -1 for any other type. */
    public static int elementBytes(Class<?> arrayType) {
        if (arrayType == byte[].class) {
            return 1;
        } else if (arrayType == short[].class || arrayType == char[].class) {
            return 2;
        } else if (arrayType == int[].class || arrayType == float[].class) {
            return 4;
        } else if (arrayType == long[].class || arrayType == double[].class) {
            return 8;
        }
        return -1;
    }

    /** Copies {@code array[from, from + n)} into {@code into} at its position, and advances it. */
    public static void put(Object array, int from, int n, ByteBuffer into) {
        int start = into.position();
        if (array instanceof byte[] a) {
            into.put(a, from, n);
            return;
        } else if (array instanceof short[] a) {
            into.asShortBuffer().put(a, from, n);
        } else if (array instanceof char[] a) {
            into.asCharBuffer().put(a, from, n);
        } else if (array instanceof int[] a) {
            into.asIntBuffer().put(a, from, n);
        } else if (array instanceof float[] a) {
            into.asFloatBuffer().put(a, from, n);
        } else if (array instanceof long[] a) {
            into.asLongBuffer().put(a, from, n);
        } else {
            into.asDoubleBuffer().put((double[]) array, from, n);
        }
        into.position(start + n * elementBytes(array.getClass()));
    }

    /** Fills {@code array[at, at + n)} from {@code from} at its position, and advances it. */
    public static void get(ByteBuffer from, Object array, int at, int n) {
        int start = from.position();
        if (array instanceof byte[] a) {
            from.get(a, at, n);
            return;
        } else if (array instanceof short[] a) {
            from.asShortBuffer().get(a, at, n);
        } else if (array instanceof char[] a) {
            from.asCharBuffer().get(a, at, n);
        } else if (array instanceof int[] a) {
            from.asIntBuffer().get(a, at, n);
        } else if (array instanceof float[] a) {
            from.asFloatBuffer().get(a, at, n);
        } else if (array instanceof long[] a) {
            from.asLongBuffer().get(a, at, n);
        } else {
            from.asDoubleBuffer().get((double[]) array, at, n);
        }
        from.position(start + n * elementBytes(array.getClass()));
    }
}
