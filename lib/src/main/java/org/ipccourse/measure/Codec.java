package org.ipccourse.measure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a payload becomes bytes and back: {@link #JAVA} is Java's built-in serialization (the analog
 * of pickle, and the default everywhere in this library); {@link #RAW} copies the contents of a
 * primitive array or a {@link ByteBuffer} as they are, with a one-byte type tag and no object graph.
 * Comparing the two on the same payload shows how much of a transfer is the codec and how much is
 * the copy.
 *
 * <pre>{@code
 * byte[] wire = Codec.JAVA.encode(List.of(1, 2, 3));
 * List<?> back = (List<?>) Codec.JAVA.decode(wire);
 * double[] same = (double[]) Codec.RAW.decode(Codec.RAW.encode(new double[] {1, 2}));
 * }</pre>
 *
 * <p>Costs: {@code JAVA} walks the object graph and writes class descriptors, so a list of 50,000
 * boxed integers costs far more than its 200 KB of numbers; {@code RAW} is one bulk copy plus one
 * byte. Decoding with {@code JAVA} resolves classes through the thread's context class loader first
 * (the one a worker sets up for classes shipped from notebook cells), then as usual.
 */
public enum Codec {
    /** Java serialization: any {@link java.io.Serializable} object graph. */
    JAVA {
        @Override
        public byte[] encode(Object payload) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            writeObject(payload, bytes);
            return bytes.toByteArray();
        }

        @Override
        public Object decode(byte[] bytes) {
            return readObject(new java.io.ByteArrayInputStream(bytes));
        }

        @Override
        public int encodeInto(Object payload, ByteBuffer target) {
            int start = target.position();
            writeObject(payload, new BufferOutput(target));
            return target.position() - start;
        }

        @Override
        Object decode(ByteBuffer source) {
            return readObject(new BufferInput(source));
        }
    },

    /** Contents of a primitive array or a byte buffer, copied in bulk with a one-byte type tag. */
    RAW {
        @Override
        public byte[] encode(Object payload) {
            long size = RawLayout.encodedSize(payload);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(size + " bytes do not fit in one byte[]; "
                        + "send a smaller array or use a shared segment");
            }
            byte[] out = new byte[(int) size];
            RawLayout.write(payload, ByteBuffer.wrap(out).order(ByteOrder.nativeOrder()));
            return out;
        }

        @Override
        public Object decode(byte[] bytes) {
            return RawLayout.read(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
        }

        @Override
        public int encodeInto(Object payload, ByteBuffer target) {
            long size = RawLayout.encodedSize(payload);
            if (size > target.remaining()) {
                throw new IllegalArgumentException("payload needs " + size + " bytes but only "
                        + target.remaining() + " are left in the target buffer");
            }
            RawLayout.write(payload, target.order(ByteOrder.nativeOrder()));
            return (int) size;
        }

        @Override
        Object decode(ByteBuffer source) {
            return RawLayout.view(source.order(ByteOrder.nativeOrder()));
        }
    };

    /**
     * Encodes {@code payload} into a new byte array.
     *
     * @throws IllegalArgumentException if this codec cannot encode the payload's type
     */
    public abstract byte[] encode(Object payload);

    /** Rebuilds the payload from bytes made by {@link #encode} of the same codec. */
    public abstract Object decode(byte[] bytes);

    /** Encodes into {@code target} from its position on; returns the number of bytes written. */
    public abstract int encodeInto(Object payload, ByteBuffer target);

    /** Decodes from {@code source}'s position; {@code RAW} returns a read-only view, not a copy. */
    abstract Object decode(ByteBuffer source);

    private static void writeObject(Object payload, OutputStream sink) {
        try (ObjectOutputStream out = new ObjectOutputStream(sink)) {
            out.writeObject(payload);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("payload contains an object of class "
                    + e.getMessage() + ", which is not Serializable; implement java.io.Serializable"
                    + " (records: add 'implements Serializable') or use Codec.RAW for arrays", e);
        } catch (BufferOverflowException e) {
            throw new IllegalArgumentException("serialized payload does not fit in the target"
                    + " buffer; allocate a larger segment", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialize the payload", e);
        }
    }

    private static Object readObject(InputStream source) {
        try (ObjectInputStream in = new ContextObjectInputStream(source)) {
            return in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException("could not deserialize the payload", e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("class " + e.getMessage() + " of the payload is not"
                    + " known in this JVM", e);
        }
    }

    /** Resolves classes through the context class loader first (cell classes in a worker). */
    private static final class ContextObjectInputStream extends ObjectInputStream {
        ContextObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc)
                throws IOException, ClassNotFoundException {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null) {
                try {
                    return Class.forName(desc.getName(), false, context);
                } catch (ClassNotFoundException e) {
                    // fall through to the default resolution (primitives, the caller's loader)
                }
            }
            return super.resolveClass(desc);
        }
    }

    private static final class BufferOutput extends OutputStream {
        private final ByteBuffer target;

        BufferOutput(ByteBuffer target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            target.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target.put(b, off, len);
        }
    }

    private static final class BufferInput extends InputStream {
        private final ByteBuffer source;

        BufferInput(ByteBuffer source) {
            this.source = source;
        }

        @Override
        public int read() {
            return source.hasRemaining() ? source.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!source.hasRemaining()) {
                return len == 0 ? 0 : -1;
            }
            int n = Math.min(len, source.remaining());
            source.get(b, off, n);
            return n;
        }
    }
}
