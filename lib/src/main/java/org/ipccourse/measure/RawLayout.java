package org.ipccourse.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.ipccourse.bytes.PrimitiveArrays;

/**
 * The raw codec's layout: an 8-byte header (type tag, then padding so the data stays 8-byte
 * aligned for views) followed by the elements in native byte order.
 */
final class RawLayout {
    static final int HEADER = 8;
    private static final byte BYTES = 1;
    private static final byte SHORTS = 2;
    private static final byte CHARS = 3;
    private static final byte INTS = 4;
    private static final byte LONGS = 5;
    private static final byte FLOATS = 6;
    private static final byte DOUBLES = 7;
    /** The array type of each tag. */
    private static final Class<?>[] TYPES = {null, byte[].class, short[].class, char[].class, int[].class,
        long[].class, float[].class, double[].class};

    private RawLayout() {
    }

    static long encodedSize(Object payload) {
        if (payload instanceof byte[] a) {
            return HEADER + (long) a.length;
        } else if (payload instanceof ByteBuffer b) {
            return HEADER + (long) b.remaining();
        } else if (payload instanceof short[] a) {
            return HEADER + 2L * a.length;
        } else if (payload instanceof char[] a) {
            return HEADER + 2L * a.length;
        } else if (payload instanceof int[] a) {
            return HEADER + 4L * a.length;
        } else if (payload instanceof float[] a) {
            return HEADER + 4L * a.length;
        } else if (payload instanceof long[] a) {
            return HEADER + 8L * a.length;
        } else if (payload instanceof double[] a) {
            return HEADER + 8L * a.length;
        }
        throw new IllegalArgumentException("Codec.RAW encodes primitive arrays and ByteBuffers only,"
                + " not " + (payload == null ? "null" : payload.getClass().getName())
                + "; use Codec.JAVA for object graphs");
    }

    /** Writes header and data at {@code out}'s position, advancing it. */
    static void write(Object payload, ByteBuffer out) {
        encodedSize(payload); // rejects unsupported types before anything is written
        int start = out.position();
        ByteBuffer data = out.position(start + HEADER).slice().order(out.order());
        if (payload instanceof ByteBuffer b) {
            data.put(b.duplicate());
        } else {
            PrimitiveArrays.put(payload, 0, java.lang.reflect.Array.getLength(payload), data);
        }
        byte tag = payload instanceof ByteBuffer ? BYTES : arrayTag(payload);
        out.put(start, tag);
        out.position(start + HEADER + data.position());
    }

    /** Reads a new array (a copy) from {@code in}'s position to its limit. */
    static Object read(ByteBuffer in) {
        ByteBuffer data = dataOf(in);
        Object array = newArray(tagOf(in), data.remaining() / width(tagOf(in)));
        PrimitiveArrays.get(data, array, 0, java.lang.reflect.Array.getLength(array));
        return array;
    }

    /** A read-only typed view of the data, no copy: DoubleBuffer, LongBuffer, ... or ByteBuffer. */
    static java.nio.Buffer view(ByteBuffer in) {
        ByteBuffer data = dataOf(in).asReadOnlyBuffer().order(in.order());
        return switch (tagOf(in)) {
            case BYTES -> data;
            case SHORTS -> data.asShortBuffer();
            case CHARS -> data.asCharBuffer();
            case INTS -> data.asIntBuffer();
            case FLOATS -> data.asFloatBuffer();
            case LONGS -> data.asLongBuffer();
            default -> data.asDoubleBuffer();
        };
    }

    private static final int CHUNK = 1 << 16;

    /**
     * Writes the payload to a stream: tag, element count, then the elements in chunks through a
     * 64 KiB staging array, so the stream receives one bulk copy and no object graph.
     */
    static void writeTo(Object payload, DataOutput out) throws IOException {
        encodedSize(payload);
        if (payload instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            payload = bytes;
        }
        byte tag = arrayTag(payload);
        int n = java.lang.reflect.Array.getLength(payload);
        out.writeByte(tag);
        out.writeInt(n);
        if (payload instanceof byte[] a) {
            out.write(a);
            return;
        }
        int width = width(tag);
        byte[] staging = new byte[CHUNK];
        ByteBuffer chunk = ByteBuffer.wrap(staging).order(ByteOrder.nativeOrder());
        for (int off = 0, per = CHUNK / width; off < n; off += per) {
            int k = Math.min(per, n - off);
            PrimitiveArrays.put(payload, off, k, chunk.clear());
            out.write(staging, 0, k * width);
        }
    }

    /** Reads what {@link #writeTo} wrote into a new array. */
    static Object readFrom(DataInput in) throws IOException {
        byte tag = in.readByte();
        int n = in.readInt();
        if (tag < BYTES || tag > DOUBLES || n < 0) {
            throw new IOException("not Codec.RAW data: tag " + tag + ", length " + n);
        }
        if (tag == BYTES) {
            byte[] a = new byte[n];
            in.readFully(a);
            return a;
        }
        int width = width(tag);
        Object array = newArray(tag, n);
        byte[] staging = new byte[CHUNK];
        ByteBuffer chunk = ByteBuffer.wrap(staging).order(ByteOrder.nativeOrder());
        for (int off = 0, per = CHUNK / width; off < n; off += per) {
            int k = Math.min(per, n - off);
            in.readFully(staging, 0, k * width);
            PrimitiveArrays.get(chunk.clear(), array, off, k);
        }
        return array;
    }

    private static byte arrayTag(Object array) {
        for (byte tag = BYTES; tag <= DOUBLES; tag++) {
            if (TYPES[tag] == array.getClass()) {
                return tag;
            }
        }
        throw new IllegalArgumentException("not a primitive array: " + array.getClass().getName());
    }

    private static int width(byte tag) {
        return PrimitiveArrays.elementBytes(TYPES[tag]);
    }

    private static Object newArray(byte tag, int length) {
        return java.lang.reflect.Array.newInstance(TYPES[tag].getComponentType(), length);
    }

    private static byte tagOf(ByteBuffer in) {
        if (in.remaining() < HEADER) {
            throw new IllegalArgumentException("only " + in.remaining()
                    + " bytes: too short for Codec.RAW data (header is " + HEADER + ")");
        }
        byte tag = in.get(in.position());
        if (tag < BYTES || tag > DOUBLES) {
            throw new IllegalArgumentException("not Codec.RAW data: unknown type tag " + tag);
        }
        return tag;
    }

    private static ByteBuffer dataOf(ByteBuffer in) {
        tagOf(in);
        return in.duplicate().position(in.position() + HEADER).slice().order(in.order());
    }
}
