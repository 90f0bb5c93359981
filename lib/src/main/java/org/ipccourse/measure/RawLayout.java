package org.ipccourse.measure;

import java.nio.ByteBuffer;

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
