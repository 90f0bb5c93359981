package org.ipccourse.pool;

import java.io.IOException;
import java.io.NotSerializableException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>The owner also remembers which static fields of classes declared in cells it sent and a
 * checksum of each encoding, when the value is an object whose contents can change without an
 * assignment (a list, a map, an array: anything but null, a String, a boxed primitive or an enum
 * constant). {@link #contentsChanged} encodes them again and compares: that is how a change such as
 * {@code Config.names.add("alice")} in a cell reaches workers that fetched {@code names} before.
 *
 * <p>Costs: a read on the owner (reflection) and the value's encoding; the worker's task waits one
 * round trip of the pipe for it. {@link #contentsChanged} encodes every remembered value once
 * more (about what its fetch cost the owner), at most once per cell run.
 */
final class NotebookValues {
    static final String PREFIX = "notebook-value:";
    private static final byte VALUE = 0;
    private static final byte NOT_SERIALIZABLE = 1;
    private static final byte FAILED = 2;

    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /** Class fields sent whose contents may change, and the checksum of what was sent. */
    private final Map<Field, Long> sent = new ConcurrentHashMap<>();
    /** {@link NotebookState#cellClassesDefined()} at the last {@link #contentsChanged}. */
    private long cellsAtCheck = -1;

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
            byte[] payload = ObjectCodec.serialize(value);
            if (!NotebookState.isNotebookVariable(className) && mayChangeInPlace(value)) {
                sent.put(f, checksum(payload));
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

    /**
     * Whether the contents of a class field sent to a worker changed in the kernel since it was
     * sent (each changed field is forgotten: workers fetch it again). Checked only when a cell has
     * run since the last check, since only cell code changes them; a change made within one cell
     * between two submits, without assigning a static field, is seen from the next cell on.
     */
    boolean contentsChanged() {
        if (sent.isEmpty()) {
            return false;
        }
        synchronized (this) {
            long cells = NotebookState.cellClassesDefined();
            if (cells == cellsAtCheck) {
                return false;
            }
            cellsAtCheck = cells;
        }
        boolean changed = false;
        for (Map.Entry<Field, Long> e : sent.entrySet()) {
            long now;
            try {
                now = checksum(ObjectCodec.serialize(e.getKey().get(null)));
            } catch (IOException | ReflectiveOperationException | RuntimeException ex) {
                now = ~e.getValue(); // cannot be encoded now: the worker's fetch will say why
            }
            if (now != e.getValue()) {
                sent.remove(e.getKey(), e.getValue());
                changed = true;
            }
        }
        return changed;
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
