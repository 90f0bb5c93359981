package org.ipccourse.pool;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tagged encoding of payload objects (see {@link WireProtocol}, "Payload encoding"):
 * values the pool sends all the time (numbers, short strings, byte arrays, lists of those, and
 * serializable lambdas such as {@code () -> n}) are written directly, one tag byte and their
 * contents; everything else is Java serialization after a {@link #JAVA} tag. The direct form skips
 * what makes Java serialization slow for small messages (a new stream with its header and class
 * descriptors per message, and reflection per lambda), and a lambda's captured values are
 * themselves encoded the same way.
 */
final class Values {
    static final byte JAVA = 0;
    static final byte NULL = 1;
    static final byte INT = 2;
    static final byte LONG = 3;
    static final byte DOUBLE = 4;
    static final byte BOOLEAN = 5;
    static final byte STRING = 6;
    static final byte BYTES = 7;
    static final byte LIST = 8;
    static final byte LAMBDA = 9;
    static final byte CHARS = 10;


    /*
     * Method handles rather than reflection: a reflective Method runs through JNI for its first 15
     * calls and then generates an accessor class, once per method, which cost 3-4 ms in a fresh
     * worker at task 16 of every capturing class. A handle's invoker is spun once per shape, which
     * the warm-up pass already does.
     */

    /** A serializable lambda's {@code writeReplace} as {@code (Object)Object}, or null for any other class. */
    private static final ClassValue<MethodHandle> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            if (!type.isSynthetic() || !type.getName().contains("$$Lambda") || !Serializable.class.isAssignableFrom(type)) {
                return null;
            }
            try {
                return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                        .findVirtual(type, "writeReplace", MethodType.methodType(Object.class))
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // e.g. a module that is not open: Java serialization handles it
            }
        }
    };

    /** The {@code $deserializeLambda$} of a class that captures serializable lambdas, as {@code (SerializedLambda)Object}. */
    private static final ClassValue<MethodHandle> DESERIALIZE_LAMBDA = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
                // as calling it would: a handle to a static method of a class not yet initialized
                // checks at each call, through a form of its own that a fresh JVM spins first (5-10 ms)
                lookup.ensureInitialized(type);
                return lookup.findStatic(type, "$deserializeLambda$",
                        MethodType.methodType(Object.class, SerializedLambda.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private Values() {
    }

    /** Writes {@code value} as the whole payload: a direct form when it has one, else Java serialization. */
    static void writePayload(ChunkedBytes out, Object value) throws IOException {
        if (!writeDirect(out, value)) {
            out.writeByte(JAVA);
            ObjectCodec.javaSerialize(value, out);
        }
    }

    /** A value inside a list or lambda: direct, or Java serialization with a length in front. */
    private static void writeNested(ChunkedBytes out, Object value) throws IOException {
        if (!writeDirect(out, value)) {
            ChunkedBytes serialized = out.nested();
            ObjectCodec.javaSerialize(value, serialized);
            out.writeByte(JAVA);
            out.writeInt(serialized.size());
            out.append(serialized);
        }
    }

    private static boolean writeDirect(ChunkedBytes out, Object value) throws IOException {
        if (writeScalar(out, value)) {
            return true;
        }
        Class<?> type = value.getClass();
        if (type == byte[].class && ((byte[]) value).length < BulkArray.MIN_BYTES) { // a larger one goes in bulk
            byte[] bytes = (byte[]) value;
            out.writeByte(BYTES);
            out.writeInt(bytes.length);
            out.write(bytes, 0, bytes.length);
            return true;
        }
        if (type == ArrayList.class && allScalars((List<?>) value)) {
            List<?> list = (List<?>) value;
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object element : list) {
                writeScalar(out, element);
            }
            return true;
        }
        MethodHandle writeReplace = WRITE_REPLACE.get(type);
        if (writeReplace != null) {
            SerializedLambda lambda;
            try {
                lambda = (SerializedLambda) (Object) writeReplace.invokeExact(value);
            } catch (RuntimeException e) {
                return false; // Java serialization meets it again and reports it
            } catch (Throwable t) {
                throw rethrown(t);
            }
            LambdaForms.Written form = LambdaForms.formOf(type, lambda);
            out.writeByte(LAMBDA);
            out.writeInt(form.form().length);
            out.writeLong(form.fingerprint());
            out.write(form.form(), 0, form.form().length);
            out.writeInt(lambda.getCapturedArgCount());
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                writeNested(out, lambda.getCapturedArg(i));
            }
            return true;
        }
        return false;
    }

    private static boolean writeScalar(ChunkedBytes out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
            return true;
        }
        Class<?> type = value.getClass();
        if (type == Integer.class) {
            out.writeByte(INT);
            out.writeInt((Integer) value);
        } else if (type == Long.class) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (type == Double.class) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits((Double) value));
        } else if (type == Boolean.class) {
            out.writeByte(BOOLEAN);
            out.writeByte((Boolean) value ? 1 : 0);
        } else if (type == String.class) {
            writeString(out, (String) value);
        } else {
            return false;
        }
        return true;
    }

    private static boolean allScalars(List<?> list) {
        for (Object o : list) {
            if (o != null && !isScalar(o)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isScalar(Object o) {
        Class<?> t = o.getClass();
        return t == Integer.class || t == Long.class || t == Double.class || t == Boolean.class || t == String.class;
    }

    /** Latin-1 text one byte per char, any other text two; both exact, lone surrogates included. */
    static void writeString(ChunkedBytes out, String s) throws IOException {
        int n = s.length();
        boolean latin1 = true;
        for (int i = 0; i < n && latin1; i++) {
            latin1 = s.charAt(i) < 256;
        }
        out.writeByte(latin1 ? STRING : CHARS);
        out.writeInt(n);
        if (latin1) {
            byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
            out.write(bytes, 0, bytes.length);
        } else {
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                out.writeByte(c >>> 8);
                out.writeByte(c);
            }
        }
    }

    /** Reads a payload written by {@link #writePayload}, whose tag is not {@link #JAVA}. */
    static Object readDirect(byte tag, ByteReader in, ObjectCodec codec, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        switch (tag) {
            case NULL:
                return null;
            case INT:
                codec.admit(Integer.class);
                return in.readInt();
            case LONG:
                codec.admit(Long.class);
                return in.readLong();
            case DOUBLE:
                codec.admit(Double.class);
                return Double.longBitsToDouble(in.readLong());
            case BOOLEAN:
                codec.admit(Boolean.class);
                return in.readByte() != 0;
            case STRING:
                codec.admit(String.class);
                return in.readLatin1(length(in));
            case CHARS:
                codec.admit(String.class);
                return in.readChars(length(in));
            case BYTES: {
                codec.admit(byte[].class);
                return in.readBytes(length(in));
            }
            case LIST: {
                codec.admit(ArrayList.class);
                int n = length(in);
                ArrayList<Object> list = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    byte elementTag = in.readByte();
                    if (elementTag < NULL || (elementTag > STRING && elementTag != CHARS)) {
                        throw corrupted("list element tag " + elementTag);
                    }
                    list.add(readDirect(elementTag, in, codec, loaders));
                }
                return list;
            }
            case LAMBDA:
                return readLambda(in, codec, loaders);
            default:
                throw corrupted("payload tag " + tag);
        }
    }

    private static Object readLambda(ByteReader in, ObjectCodec codec, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        int formLength = length(in);
        long fingerprint = in.readLong();
        LambdaForms.Form form = codec.lambdaForms.find(fingerprint, formLength, loaders);
        if (form == null) { // a form found was admitted when it was decoded, by the same codec
            codec.admit(SerializedLambda.class);
            int formStart = in.position();
            form = readForm(in, codec, loaders);
            if (in.position() != formStart + formLength) {
                throw corrupted("lambda form of " + formLength + " bytes");
            }
            codec.lambdaForms.add(fingerprint, formLength, loaders, form);
        } else {
            in.skip(formLength);
        }
        int n = length(in);
        Object[] captured = new Object[n];
        for (int i = 0; i < n; i++) {
            captured[i] = readNested(in, codec, loaders);
        }
        try {
            return form.rebuild(captured);
        } catch (Exception | LinkageError e) {
            InvalidClassException clear = new InvalidClassException(form.capturing.getName(),
                    "could not rebuild lambda " + form.implMethod + ": " + e);
            clear.initCause(e);
            throw clear;
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    private static LambdaForms.Form readForm(ByteReader in, ObjectCodec codec, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        Class<?> capturing = ObjectCodec.resolve(readString(in, codec, loaders), loaders);
        codec.admit(capturing);
        String interfaceClass = readString(in, codec, loaders);
        String interfaceMethod = readString(in, codec, loaders);
        String interfaceSignature = readString(in, codec, loaders);
        int implKind = in.readByte();
        String implClass = readString(in, codec, loaders);
        String implMethod = readString(in, codec, loaders);
        String implSignature = readString(in, codec, loaders);
        String instantiated = readString(in, codec, loaders);
        MethodHandle factory = DESERIALIZE_LAMBDA.get(capturing);
        if (factory == null) {
            throw new InvalidClassException(capturing.getName(), "has no serializable lambdas to rebuild");
        }
        return new LambdaForms.Form(capturing, interfaceClass, interfaceMethod, interfaceSignature, implKind,
                implClass, implMethod, implSignature, instantiated, factory);
    }

    private static String readString(ByteReader in, ObjectCodec codec, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        byte tag = in.readByte();
        if (tag != STRING && tag != CHARS) {
            throw corrupted("string tag " + tag);
        }
        return (String) readDirect(tag, in, codec, loaders);
    }

    private static Object readNested(ByteReader in, ObjectCodec codec, List<ClassLoader> loaders)
            throws IOException, ClassNotFoundException {
        byte tag = in.readByte();
        if (tag != JAVA) {
            return readDirect(tag, in, codec, loaders);
        }
        int n = length(in);
        return codec.javaDeserialize(in.array(), in.skip(n), in.position(), loaders, in.bulk());
    }

    private static int length(ByteReader in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw corrupted("negative length " + n);
        }
        return n;
    }

    /** An Error a method handle threw, passed on; anything else as an unchecked exception. */
    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new UndeclaredThrowableException(t);
    }

    private static IOException corrupted(String what) {
        return new IOException("payload corrupted: unknown or invalid " + what);
    }
}
