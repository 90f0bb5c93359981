package org.ipccourse.pool;

import java.io.IOException;
import java.io.NotSerializableException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Adler32;
import java.util.zip.CRC32C;
import org.ipccourse.classes.NotebookState;
import org.ipccourse.classes.NotebookStateException;

/**
 * Both ends of fetching notebook state ({@link NotebookState}): a worker asks for the kernel's
 * value of a static field of a cell class with a CLASS_REQUEST frame whose name is
 * {@code notebook-value:<class>.<field>}; the owner answers in a CLASS_BYTES frame whose bytes are
 * a tag ({@code 0} value, {@code 1} not serializable, {@code 2} other failure) and then the value
 * as a payload ({@link ObjectCodec}) or the error message in UTF-8. The owner counts the reads
 * and the bytes of the values sent, for {@link ProcessPool#notebookStateBytesSent()}.
 *
 * <p>The owner also remembers which static fields of classes declared in cells it sent, when the
 * value is an object whose contents can change without an assignment (a list, a map, an array:
 * anything but null, a String, a boxed primitive or an enum constant), and what it sent: a copy of
 * a primitive array (the copy is what is encoded, so it is exactly what the worker got), or a
 * checksum of the encoding of anything else. {@link #contentsChanged}, called at every submit,
 * compares each with the kernel's value now: that is how a change such as
 * {@code Config.names.add("alice")} or {@code counts[1] = 5} reaches workers that fetched the field
 * before, even between two submits of one cell.
 *
 * <p>Costs: a read on the owner (reflection) and the value's encoding (for a primitive array, one
 * copy of it first, which the owner keeps); the worker's task waits one round trip of the pipe for
 * it. {@link #contentsChanged} costs nothing while no changeable value was sent; otherwise, per
 * submit (one per {@code submit}, {@code map}, {@code imap} or {@code invokeAll} call), each
 * remembered primitive array is compared with its copy ({@link Arrays#equals}, at memory speed)
 * and every other remembered value is encoded once more (about what its fetch cost the owner).
 * Measured on the course machine (JDK 17, 2 cores, not quiet), per submit: a List of 3 Strings
 * 1.5-5 us, a {@code long[1000]} 0.2-2 us, an 8 MB {@code long[]} 1.1-1.5 ms (encoding them again,
 * as for other values, took 13 us and 8 ms). {@link #checkNanos} adds up the time spent;
 * {@code bench/}'s {@code StaticWriteCost} prints it per submit.
 */
final class NotebookValues {
    static final String PREFIX = "notebook-value:";
    private static final byte VALUE = 0;
    private static final byte NOT_SERIALIZABLE = 1;
    private static final byte FAILED = 2;

    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong checkNanos = new AtomicLong();
    /** Class fields sent whose contents may change, and what was sent of each. */
    private final Map<Field, Sent> sent = new ConcurrentHashMap<>();
    /** Two workers were sent different contents of one field since the last check (the kernel changed it between). */
    private final AtomicBoolean differentCopiesSent = new AtomicBoolean();

    static boolean isRequest(String name) {
        return name.startsWith(PREFIX);
    }

    static String request(String className, String field) {
        return PREFIX + className + "." + field;
    }

    long reads() {
        return reads.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Nanoseconds spent in {@link #contentsChanged} so far. */
    long checkNanos() {
        return checkNanos.get();
    }

    /** Owner side: the answer to {@code request}, looking the class up through {@code loaders} in order. */
    byte[] answer(String request, List<ClassLoader> loaders) {
        String qualified = request.substring(PREFIX.length());
        int dot = qualified.lastIndexOf('.');
        String className = qualified.substring(0, dot);
        String field = qualified.substring(dot + 1);
        String what = NotebookState.describe(className, field);
        Object value;
        Field f;
        try {
            f = find(className, field, loaders);
            value = f.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return failure(FAILED, "The task reads " + what + ", which the kernel could not read: " + e);
        }
        try {
            boolean watched = !NotebookState.isNotebookVariable(className) && mayChangeInPlace(value);
            Object copy = watched ? Sent.copyOfPrimitiveArray(value) : null;
            byte[] payload = ObjectCodec.serialize(copy != null ? copy : value);
            if (watched) {
                remember(f, copy != null ? new Sent(copy, 0) : new Sent(null, checksum(payload)));
            }
            reads.incrementAndGet();
            bytes.addAndGet(payload.length);
            byte[] answer = new byte[payload.length + 1];
            answer[0] = VALUE;
            System.arraycopy(payload, 0, answer, 1, payload.length);
            return answer;
        } catch (NotSerializableException e) {
            return failure(NOT_SERIALIZABLE, notSerializable(what, value, e.getMessage()));
        } catch (IOException | RuntimeException e) {
            return failure(FAILED, "The task reads " + what + ", which could not be sent to the worker: " + e);
        }
    }

    private void remember(Field f, Sent now) {
        Sent before = sent.put(f, now);
        if (before != null && !before.sameAs(now)) {
            differentCopiesSent.set(true); // one worker may hold the older one under the current epoch
        }
    }

    /**
     * Whether a worker may hold contents of a class field that differ from the kernel's now: the
     * contents changed since they were sent, or two workers were sent different contents. When so,
     * everything remembered is forgotten: the caller starts a new epoch, in which workers fetch
     * every class field again. Called at every submit; free while no changeable value was sent.
     */
    boolean contentsChanged() {
        if (sent.isEmpty()) {
            return false;
        }
        long start = System.nanoTime();
        boolean changed = differentCopiesSent.get() && differentCopiesSent.getAndSet(false);
        for (Iterator<Map.Entry<Field, Sent>> it = sent.entrySet().iterator(); !changed && it.hasNext(); ) {
            Map.Entry<Field, Sent> e = it.next();
            try {
                changed = !e.getValue().matches(e.getKey().get(null));
            } catch (ReflectiveOperationException | RuntimeException ex) {
                changed = true; // cannot be read now: the worker's fetch will say why
            }
        }
        if (changed) {
            sent.clear();
        }
        checkNanos.addAndGet(System.nanoTime() - start);
        return changed;
    }

    /** What was sent of one field: a copy of a primitive array, or the checksum of the value's encoding. */
    private record Sent(Object array, long encodingChecksum) {
        /** A copy of {@code value} if it is an array of a primitive type, else null. */
        static Object copyOfPrimitiveArray(Object value) {
            Class<?> type = value.getClass();
            if (!type.isArray() || !type.getComponentType().isPrimitive()) {
                return null;
            }
            int n = Array.getLength(value);
            Object copy = Array.newInstance(type.getComponentType(), n);
            System.arraycopy(value, 0, copy, 0, n);
            return copy;
        }

        /** Whether {@code now}, the field's value in the kernel, has the contents that were sent. */
        boolean matches(Object now) {
            if (array != null) {
                return Objects.deepEquals(array, now); // Arrays.equals of the primitive type
            }
            try {
                return checksum(ObjectCodec.serialize(now)) == encodingChecksum;
            } catch (IOException | RuntimeException ex) {
                return false; // cannot be encoded now: the worker's fetch will say why
            }
        }

        boolean sameAs(Sent other) {
            return array != null ? other.array != null && Objects.deepEquals(array, other.array)
                    : other.array == null && encodingChecksum == other.encodingChecksum;
        }
    }

    private static boolean mayChangeInPlace(Object value) {
        return value != null && !(value instanceof String) && !(value instanceof Enum<?>)
                && !(value instanceof Boolean) && !(value instanceof Character)
                && !(value instanceof Number && value.getClass().getName().startsWith("java.lang."));
    }

    /** Two independent 32-bit checksums of an encoding, side by side. */
    private static long checksum(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        Adler32 adler = new Adler32();
        adler.update(payload);
        return crc.getValue() << 32 | adler.getValue();
    }

    private static Field find(String className, String field, List<ClassLoader> loaders)
            throws ReflectiveOperationException {
        ClassNotFoundException missing = null;
        for (ClassLoader loader : loaders) {
            Class<?> c;
            try {
                c = Class.forName(className, false, loader);
            } catch (ClassNotFoundException e) {
                missing = e;
                continue;
            }
            Field f = c.getDeclaredField(field);
            f.setAccessible(true); // cell classes are package-private
            return f;
        }
        throw missing != null ? missing : new ClassNotFoundException(className);
    }

    /** One message: the variable, its type, what is not serializable and what to write instead. */
    static String notSerializable(String what, Object value, String offending) {
        String type = value.getClass().getName();
        StringBuilder m = new StringBuilder("The task reads ").append(what).append(" (a ").append(type)
                .append("), which cannot be sent to a worker: ");
        if (type.equals(offending)) {
            m.append(type).append(" is not Serializable. ");
        } else {
            m.append("it holds a ").append(offending).append(", which is not Serializable. ");
        }
        if (offending.startsWith("REPL.")) {
            m.append("Declare that class in its cell with `implements java.io.Serializable`, or pass the task"
                    + " only the values it needs.");
        } else {
            m.append("Copy what the task needs out of it into Serializable values (numbers, Strings, a List,"
                    + " a record) in variables of their own, and use those in the task; or create the object"
                    + " inside the task.");
        }
        return m.toString();
    }

    private static byte[] failure(byte tag, String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] answer = new byte[text.length + 1];
        answer[0] = tag;
        System.arraycopy(text, 0, answer, 1, text.length);
        return answer;
    }

    /** Worker side: the value in {@code answer}, or the owner's error as a {@link NotebookStateException}. */
    static Object decode(Optional<byte[]> answer, ObjectCodec codec, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        byte[] a = answer.orElseThrow(() -> new NotebookStateException("the kernel sent no answer for a notebook value"));
        if (a.length == 0) {
            throw new IOException("empty answer for a notebook value");
        }
        if (a[0] == VALUE) {
            return codec.deserialize(Arrays.copyOfRange(a, 1, a.length), List.of(loader));
        }
        throw new NotebookStateException(new String(a, 1, a.length - 1, StandardCharsets.UTF_8), a[0] == NOT_SERIALIZABLE);
    }
}
