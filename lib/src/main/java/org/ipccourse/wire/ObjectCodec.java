package org.ipccourse.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.List;

/**
 * Java serialization of task, result and exception payloads. Reading resolves classes through the
 * given class loaders in order and always goes through the pool's {@link SerialFilter}.
 */
public final class ObjectCodec {
    private final String filterPattern;

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
     * Serializes {@code value}.
     *
     * @throws NotSerializableException naming the class that is not serializable
     */
    public static byte[] serialize(Object value) throws IOException {
        return serializeChunked(value).toByteArray();
    }

    /**
     * Serializes {@code value} into chunks that a {@link FrameEncoder} writes as they are: the
     * form for task and result payloads, which may be large (no doubling buffer, no final copy).
     *
     * @throws NotSerializableException naming the class that is not serializable
     */
    public static ChunkedBytes serializeChunked(Object value) throws IOException {
        ChunkedBytes bytes = new ChunkedBytes();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes.sink())) {
            out.writeObject(value);
        }
        return bytes;
    }

    /**
     * Deserializes one object, resolving classes through {@code loaders} in order (null entries
     * are skipped; the system class loader is tried last).
     *
     * @throws InvalidClassException when the filter rejects a class; its message names the class,
     *     the rule and how to admit it
     */
    public Object deserialize(byte[] bytes, List<ClassLoader> loaders) throws IOException, ClassNotFoundException {
        SerialFilter filter = new SerialFilter(filterPattern);
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loaders)) {
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

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final List<ClassLoader> loaders;

        LoaderObjectInputStream(ByteArrayInputStream in, List<ClassLoader> loaders) throws IOException {
            super(in);
            this.loaders = loaders;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
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
                try {
                    return super.resolveClass(desc); // primitives and the platform's classes
                } catch (ClassNotFoundException again) {
                    throw last != null ? last : again;
                }
            }
        }
    }
}
