package org.ipccourse.pool;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
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
final class ObjectCodec {

    private final String filterPattern;
    /** Why the filter rejects a class named by a direct payload, or "" when it admits it. */
    /** The lambda forms this codec decoded last ({@link Values}' direct form of a lambda). */
    final LambdaForms.Recent lambdaForms = new LambdaForms.Recent();
    private final ClassValue<String> rejection = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            SerialFilter filter = new SerialFilter(filterPattern);
            return filter.checkInput(new ClassOnly(type)) == ObjectInputFilter.Status.REJECTED
                    ? filter.rejected : "";
        }
    };

    /** Throws one clear {@link IllegalArgumentException} if {@code pattern} is not a valid filter pattern. */
    public static void checkFilterPattern(String pattern) {
        if (!pattern.isBlank()) {
            SerialFilter.parse(pattern);
        }
    }

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
     * As {@link #serializeChunked(Object)}, after a big-endian int64 {@code header} (a task's
     * notebook-state epoch: {@link Payloads#encodeTask}); {@link #deserialize(byte[], int, List)}
     * with offset 8 reads the value back. The copies of its large arrays are deferred: the caller
     * must {@link ChunkedBytes#settle} it before the arrays may change.
     */
    static ChunkedBytes serializeChunked(long header, Object value) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes(true);
        Values.writePayload(bytes, value);
        byte[] epoch = new byte[8];
        for (int i = 0; i < 8; i++) {
            epoch[i] = (byte) (header >>> (56 - 8 * i)); // big-endian; shifts are cheap interpreted, unlike a VarHandle
        }
        bytes.prefix(epoch);
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
        return deserialize(bytes, 0, BulkArrays.NONE, loaders);
    }

    /** As {@link #deserialize(byte[], List)}, for a payload that starts at {@code bytes[from]}. */
    public Object deserialize(byte[] bytes, int from, List<ClassLoader> loaders) throws IOException, ClassNotFoundException {
        return deserialize(bytes, from, BulkArrays.NONE, loaders);
    }

    /**
     * As {@link #deserialize(byte[], int, List)}, for the payload of a frame whose bulk section
     * {@link FrameDecoder} already read into {@code arrays} ({@link Frame#arrays()}).
     */
    public Object deserialize(byte[] bytes, int from, Object[] arrays, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        BulkArrays bulk = new BulkArrays(arrays);
        int at = from;
        if (bytes.length > at && bytes[at] == BulkArrays.TAG) {
            if (arrays.length > 0) {
                throw new IOException("payload corrupted: a second bulk section");
            }
            ByteArrayInputStream section = new ByteArrayInputStream(bytes, at + 1, bytes.length - at - 1);
            BulkArrays.Read read = BulkArrays.read(new DataInputStream(section), bytes.length - at - 1, n -> { });
            bulk = new BulkArrays(read.arrays());
            at += 1 + (int) read.bytes();
        }
        if (bytes.length <= at) {
            throw new IOException("empty payload");
        }
        Object value;
        if (bytes[at] == Values.JAVA) {
            value = javaDeserialize(bytes, at + 1, bytes.length, loaders, bulk);
        } else {
            value = Values.readDirect(bytes[at], new ByteReader(bytes, at + 1, bulk), this, loaders);
        }
        bulk.checkAllTaken();
        return value;
    }

    /**
     * Java serialization of {@code value}, appended to {@code out}: the stream, whose large
     * primitive arrays go to the payload's bulk section ({@link BulkArray}).
     */
    static void javaSerialize(Object value, ChunkedBytes out) throws IOException {
        BulkArrayOutputStream objects = new BulkArrayOutputStream(out);
        objects.writeObject(value);
        objects.flush();
    }

    /** Reads what {@link #javaSerialize(Object, ChunkedBytes)} wrote into {@code bytes[from, to)}. */
    Object javaDeserialize(byte[] bytes, int from, int to, List<ClassLoader> loaders, BulkArrays bulk)
            throws IOException, ClassNotFoundException {
        SerialFilter filter = new SerialFilter(filterPattern);
        try (LoaderObjectInputStream in = new LoaderObjectInputStream(
                new ByteArrayInputStream(bytes, from, to - from), loaders, bulk)) {
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

    /** The pool's object writer: large primitive arrays go out of the stream ({@link BulkArray}). */
    static final class BulkArrayOutputStream extends ObjectOutputStream {
        /** The payload written to: its bulk section receives the large arrays. */
        final ChunkedBytes payload;

        BulkArrayOutputStream(ChunkedBytes payload) throws IOException {
            super(payload.sink());
            this.payload = payload;
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            return BulkArray.replace(obj);
        }
    }

    /** The pool's object reader: classes through the given loaders, large arrays from the bulk section. */
    static final class LoaderObjectInputStream extends ObjectInputStream {
        private final List<ClassLoader> loaders;
        /** The payload's large arrays, taken in order. */
        final BulkArrays bulk;

        LoaderObjectInputStream(InputStream in, List<ClassLoader> loaders, BulkArrays bulk) throws IOException {
            super(in);
            this.loaders = loaders;
            this.bulk = bulk;
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

    /** What the filter sees of a class named outside a stream: the class, and an array's length. */
    record ClassOnly(Class<?> serialClass, long arrayLength) implements ObjectInputFilter.FilterInfo {
        ClassOnly(Class<?> serialClass) {
            this(serialClass, -1);
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
