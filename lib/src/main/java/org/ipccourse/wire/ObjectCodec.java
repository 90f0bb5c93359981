package org.ipccourse.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

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
     * with offset 8 reads the value back.
     */
    static ChunkedBytes serializeChunked(long header, Object value) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes();
        bytes.writeLong(header);
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
        return deserialize(bytes, 0, loaders);
    }

    /** As {@link #deserialize(byte[], List)}, for a payload that starts at {@code bytes[from]}. */
    public Object deserialize(byte[] bytes, int from, List<ClassLoader> loaders) throws IOException, ClassNotFoundException {
        if (bytes.length <= from) {
            throw new IOException("empty payload");
        }
        if (bytes[from] == Values.JAVA) {
            return javaDeserialize(bytes, from + 1, bytes.length, loaders);
        }
        ByteReader in = new ByteReader(bytes, from + 1);
        return Values.readDirect(bytes[from], in, this, loaders);
    }

    /**
     * Java serialization of {@code value}, appended to {@code out}: the stream, then the elements
     * of its large primitive arrays in bulk ({@link BulkArray}), then the int32 count of those bytes.
     */
    static void javaSerialize(Object value, ChunkedBytes out) throws IOException {
        BulkArrayOutputStream objects = new BulkArrayOutputStream(out.sink());
        objects.writeObject(value);
        objects.flush();
        long bulk = objects.elements.size();
        out.append(objects.elements);
        if (bulk > FrameDecoder.MAX_FRAME) {
            throw new IOException("the arrays in the payload take " + bulk + " bytes; a frame holds at most "
                    + FrameDecoder.MAX_FRAME + " bytes: send them in parts");
        }
        out.writeInt((int) bulk);
    }

    /** Reads what {@link #javaSerialize(Object, ChunkedBytes)} wrote into {@code bytes[from, to)}. */
    Object javaDeserialize(byte[] bytes, int from, int to, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        int bulk = to - from < 4 ? -1 : (int) BIG_ENDIAN_INT.get(bytes, to - 4);
        if (bulk < 0 || bulk > to - 4 - from) {
            throw new IOException("payload corrupted: " + bulk + " bytes of arrays in a payload of " + (to - from));
        }
        int streamEnd = to - 4 - bulk;
        SerialFilter filter = new SerialFilter(filterPattern);
        try (LoaderObjectInputStream in = new LoaderObjectInputStream(
                new ByteArrayInputStream(bytes, from, streamEnd - from), loaders, bytes, streamEnd, to - 4)) {
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
        /** The elements of the arrays written so far, copied as each array is written. */
        final ChunkedBytes elements = new ChunkedBytes();

        BulkArrayOutputStream(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            return BulkArray.replace(obj);
        }
    }

    /** The pool's object reader: classes through the given loaders, bulk arrays from after the stream. */
    static final class LoaderObjectInputStream extends ObjectInputStream {
        private final List<ClassLoader> loaders;
        private final byte[] payload;
        private int bulkAt;
        private final int bulkEnd;

        LoaderObjectInputStream(InputStream in, List<ClassLoader> loaders, byte[] payload, int bulkAt, int bulkEnd)
                throws IOException {
            super(in);
            this.loaders = loaders;
            this.payload = payload;
            this.bulkAt = bulkAt;
            this.bulkEnd = bulkEnd;
        }

        /** The next {@code n} bytes of array elements, little-endian. */
        ByteBuffer takeBulk(long n) throws IOException {
            if (n > bulkEnd - bulkAt) {
                throw new IOException("payload corrupted: an array needs " + n + " bytes, " + (bulkEnd - bulkAt) + " are left");
            }
            ByteBuffer bytes = ByteBuffer.wrap(payload, bulkAt, (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
            bulkAt += (int) n;
            return bytes;
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
