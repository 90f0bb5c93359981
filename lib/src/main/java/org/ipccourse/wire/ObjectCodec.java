package org.ipccourse.wire;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.List;

/**
 * Encodes task, result and exception payloads: numbers, short strings, byte arrays, lists of
 * those and serializable lambdas directly (see {@link Values}), everything else with Java
 * serialization. Reading resolves classes through the given class loaders in order, and every
 * class a payload names, in either form, goes through the pool's {@link SerialFilter}.
 *
 * <p>Costs, measured on the course machines with the JIT warm: a lambda capturing an int takes
 * about 2 µs to write and 6 µs to read with Java serialization, and a fraction of a microsecond
 * each way directly; large object graphs cost what Java serialization costs.
 */
public final class ObjectCodec {
    private final String filterPattern;
    /** Why the filter rejects a class named by a direct payload, or "" when it admits it. */
    private final ClassValue<String> rejection = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            SerialFilter filter = new SerialFilter(filterPattern);
            return filter.checkInput(new ClassOnly(type)) == ObjectInputFilter.Status.REJECTED
                    ? filter.rejected : "";
        }
    };

    /**
     * @param filterPattern a JDK {@code ObjectInputFilter} pattern consulted before the default
     *     policy, or empty
     */
    public ObjectCodec(String filterPattern) {
        this.filterPattern = filterPattern == null ? "" : filterPattern;
    }

    /** The user pattern this codec applies (sent to workers in the INIT frame). */
    public String filterPattern() {
        return filterPattern;
    }

    /**
     * Encodes {@code value} into one array.
     *
     * @throws NotSerializableException naming the class that is not serializable
     */
    public static byte[] serialize(Object value) throws IOException {
        return serializeChunked(value).toByteArray();
    }

    /**
     * Encodes {@code value} into chunks that a {@link FrameEncoder} writes as they are: the
     * form for task and result payloads, which may be large (no doubling buffer, no final copy).
     *
     * @throws NotSerializableException naming the class that is not serializable
     */
    public static ChunkedBytes serializeChunked(Object value) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes();
        Values.writePayload(bytes, value);
        return bytes;
    }

    /**
     * Decodes one payload made by {@link #serialize} or {@link #serializeChunked}, resolving
     * classes through {@code loaders} in order (null entries are skipped; the system class loader
     * is tried last).
     *
     * @throws InvalidClassException when the filter rejects a class; its message names the class,
     *     the rule and how to admit it
     */
    public Object deserialize(byte[] bytes, List<ClassLoader> loaders) throws IOException, ClassNotFoundException {
        if (bytes.length == 0) {
            throw new IOException("empty payload");
        }
        ByteReader in = new ByteReader(bytes, 1);
        if (bytes[0] == Values.JAVA) {
            return javaDeserialize(in.rest(), loaders);
        }
        return Values.readDirect(bytes[0], in, this, loaders);
    }

    /** Java serialization of {@code value} into {@code out}, which stays open. */
    static void javaSerialize(Object value, OutputStream out) throws IOException {
        ObjectOutputStream objects = new ObjectOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the payload may go on after this object
            }
        });
        objects.writeObject(value);
        objects.close();
    }

    static byte[] javaSerialize(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        javaSerialize(value, bytes);
        return bytes.toByteArray();
    }

    Object javaDeserialize(InputStream bytes, List<ClassLoader> loaders) throws IOException, ClassNotFoundException {
        SerialFilter filter = new SerialFilter(filterPattern);
        try (ObjectInputStream in = new LoaderObjectInputStream(bytes, loaders)) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            String why = filter.rejected;
            if (why != null) {
                InvalidClassException clear = new InvalidClassException(why);
                clear.initCause(e);
                throw clear;
            }
            throw e;
        }
    }

    /** Throws the filter's rejection if it refuses {@code type}, named by a direct payload. */
    void admit(Class<?> type) throws InvalidClassException {
        String why = rejection.get(type);
        if (!why.isEmpty()) {
            throw new InvalidClassException(why);
        }
    }

    /** Loads {@code name} through {@code loaders} in order, then the system and platform loaders. */
    static Class<?> resolve(String name, List<ClassLoader> loaders) throws ClassNotFoundException {
        ClassNotFoundException last = null;
        for (ClassLoader loader : loaders) {
            if (loader == null) {
                continue;
            }
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                last = e;
            }
        }
        try {
            return Class.forName(name, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            throw last != null ? last : e;
        }
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final List<ClassLoader> loaders;

        LoaderObjectInputStream(InputStream in, List<ClassLoader> loaders) throws IOException {
            super(in);
            this.loaders = loaders;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return resolve(desc.getName(), loaders);
            } catch (ClassNotFoundException e) {
                try {
                    return super.resolveClass(desc); // primitives and the platform's classes
                } catch (ClassNotFoundException again) {
                    throw e;
                }
            }
        }
    }

    /** What the filter sees of a class named by a direct payload: the class, nothing else. */
    private record ClassOnly(Class<?> serialClass) implements ObjectInputFilter.FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
