package org.ipccourse.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        byte tag;
        ByteBuffer data = out.position(start + HEADER).slice().order(out.order());
        if (payload instanceof byte[] a) {
            tag = BYTES;
            data.put(a);
        } else if (payload instanceof ByteBuffer b) {
            tag = BYTES;
            data.put(b.duplicate());
        } else if (payload instanceof short[] a) {
            tag = SHORTS;
            data.asShortBuffer().put(a);
            data.position(2 * a.length);
        } else if (payload instanceof char[] a) {
            tag = CHARS;
            data.asCharBuffer().put(a);
            data.position(2 * a.length);
        } else if (payload instanceof int[] a) {
            tag = INTS;
            data.asIntBuffer().put(a);
            data.position(4 * a.length);
        } else if (payload instanceof float[] a) {
            tag = FLOATS;
            data.asFloatBuffer().put(a);
            data.position(4 * a.length);
        } else if (payload instanceof long[] a) {
            tag = LONGS;
            data.asLongBuffer().put(a);
            data.position(8 * a.length);
        } else {
            double[] a = (double[]) payload;
            tag = DOUBLES;
            data.asDoubleBuffer().put(a);
            data.position(8 * a.length);
        }
        out.put(start, tag);
        out.position(start + HEADER + data.position());
    }

    /** Reads a new array (a copy) from {@code in}'s position to its limit. */
    static Object read(ByteBuffer in) {
        ByteBuffer data = dataOf(in);
        return switch (tagOf(in)) {
            case BYTES -> {
                byte[] a = new byte[data.remaining()];
                data.get(a);
                yield a;
            }
            case SHORTS -> {
                short[] a = new short[data.remaining() / 2];
                data.asShortBuffer().get(a);
                yield a;
            }
            case CHARS -> {
                char[] a = new char[data.remaining() / 2];
                data.asCharBuffer().get(a);
                yield a;
            }
            case INTS -> {
                int[] a = new int[data.remaining() / 4];
                data.asIntBuffer().get(a);
                yield a;
            }
            case FLOATS -> {
                float[] a = new float[data.remaining() / 4];
                data.asFloatBuffer().get(a);
                yield a;
            }
            case LONGS -> {
                long[] a = new long[data.remaining() / 8];
                data.asLongBuffer().get(a);
                yield a;
            }
            default -> {
                double[] a = new double[data.remaining() / 8];
                data.asDoubleBuffer().get(a);
                yield a;
            }
        };
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
            chunk.clear();
            if (payload instanceof double[] a) {
                chunk.asDoubleBuffer().put(a, off, k);
            } else if (payload instanceof long[] a) {
                chunk.asLongBuffer().put(a, off, k);
            } else if (payload instanceof int[] a) {
                chunk.asIntBuffer().put(a, off, k);
            } else if (payload instanceof float[] a) {
                chunk.asFloatBuffer().put(a, off, k);
            } else if (payload instanceof short[] a) {
                chunk.asShortBuffer().put(a, off, k);
            } else {
                chunk.asCharBuffer().put((char[]) payload, off, k);
            }
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
        Object array = switch (tag) {
            case SHORTS -> new short[n];
            case CHARS -> new char[n];
            case INTS -> new int[n];
            case FLOATS -> new float[n];
            case LONGS -> new long[n];
            default -> new double[n];
        };
        byte[] staging = new byte[CHUNK];
        ByteBuffer chunk = ByteBuffer.wrap(staging).order(ByteOrder.nativeOrder());
        for (int off = 0, per = CHUNK / width; off < n; off += per) {
            int k = Math.min(per, n - off);
            in.readFully(staging, 0, k * width);
            chunk.clear();
            if (array instanceof double[] a) {
                chunk.asDoubleBuffer().get(a, off, k);
            } else if (array instanceof long[] a) {
                chunk.asLongBuffer().get(a, off, k);
            } else if (array instanceof int[] a) {
                chunk.asIntBuffer().get(a, off, k);
            } else if (array instanceof float[] a) {
                chunk.asFloatBuffer().get(a, off, k);
            } else if (array instanceof short[] a) {
                chunk.asShortBuffer().get(a, off, k);
            } else {
                chunk.asCharBuffer().get((char[]) array, off, k);
            }
        }
        return array;
    }

    private static byte arrayTag(Object array) {
        if (array instanceof byte[]) {
            return BYTES;
        } else if (array instanceof short[]) {
            return SHORTS;
        } else if (array instanceof char[]) {
            return CHARS;
        } else if (array instanceof int[]) {
            return INTS;
        } else if (array instanceof float[]) {
            return FLOATS;
        } else if (array instanceof long[]) {
            return LONGS;
        }
        return DOUBLES;
    }

    private static int width(byte tag) {
        return switch (tag) {
            case BYTES -> 1;
            case SHORTS, CHARS -> 2;
            case INTS, FLOATS -> 4;
            default -> 8;
        };
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
