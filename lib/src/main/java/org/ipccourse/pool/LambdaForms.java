package org.ipccourse.pool;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The part of a serializable lambda's direct encoding that is the same for every instance of its
 * class: the capturing class, the functional interface and the implementation method, nine fields
 * of its {@link SerializedLambda} (some 200-300 bytes for a lambda declared in a cell). Only the
 * captured values differ from task to task. The writer encodes this form once per lambda class,
 * with a 64-bit fingerprint of its bytes ({@link #formOf}); a reader keeps the forms it decoded
 * last ({@link Recent}), with their classes resolved, and finds a form by its fingerprint and
 * length instead of decoding nine strings, loading the capturing class and looking up its
 * {@code $deserializeLambda$} again.
 *
 * <p>Why: a fresh JVM runs this path interpreted for its first thousands of tasks. Measured with
 * {@code -Xint} (every call interpreted), encoding a task {@code () -> n} took 190-320 µs, nearly
 * all of it writing those nine strings, and decoding it 74-180 µs, most of it reading them;
 * comparing the bytes of each form with the kept ones instead cost as much again (a byte array
 * comparison runs slowly interpreted), hence the fingerprint.
 *
 * <p>Costs: the writer keeps one form per lambda class for as long as the class lives; a reader
 * keeps at most {@link Recent#SIZE} forms (a few KiB). Two different forms of equal length whose
 * fingerprints (FNV-1a, 64 bits) agree would be taken for one another: a chance of about one in
 * 10<sup>19</sup> per pair of lambda classes a worker meets.
 */
final class LambdaForms {
    /** A lambda class's form and its fingerprint. */
    record Written(byte[] form, long fingerprint) {
    }

    private static final ClassValue<AtomicReference<Written>> FORMS = new ClassValue<>() {
        @Override
        protected AtomicReference<Written> computeValue(Class<?> type) {
            return new AtomicReference<>();
        }
    };

    private LambdaForms() {
    }

    /** The encoded form of the lambda class {@code type}, of which {@code lambda} is an instance's replacement. */
    static Written formOf(Class<?> type, SerializedLambda lambda) throws IOException {
        AtomicReference<Written> held = FORMS.get(type);
        Written written = held.get();
        if (written == null) {
            ChunkedBytes out = new ChunkedBytes();
            Values.writeString(out, lambda.getCapturingClass().replace('/', '.'));
            Values.writeString(out, lambda.getFunctionalInterfaceClass());
            Values.writeString(out, lambda.getFunctionalInterfaceMethodName());
            Values.writeString(out, lambda.getFunctionalInterfaceMethodSignature());
            out.writeByte(lambda.getImplMethodKind());
            Values.writeString(out, lambda.getImplClass());
            Values.writeString(out, lambda.getImplMethodName());
            Values.writeString(out, lambda.getImplMethodSignature());
            Values.writeString(out, lambda.getInstantiatedMethodType());
            byte[] form = out.toByteArray();
            written = new Written(form, fingerprint(form));
            held.set(written);
        }
        return written;
    }

    /** FNV-1a, 64 bits. */
    static long fingerprint(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** A decoded form: what {@link SerializedLambda} needs besides the captured values, and who rebuilds it. */
    record Form(Class<?> capturing, String interfaceClass, String interfaceMethod, String interfaceSignature,
            int implKind, String implClass, String implMethod, String implSignature, String instantiated,
            MethodHandle factory) {
        SerializedLambda with(Object[] captured) {
            return new SerializedLambda(capturing, interfaceClass, interfaceMethod, interfaceSignature,
                    implKind, implClass, implMethod, implSignature, instantiated, captured);
        }
    }

    /** The forms a reader decoded last, each with its fingerprint, length and the class loaders it was decoded with. */
    static final class Recent {
        static final int SIZE = 8;

        private record Entry(long fingerprint, int length, List<ClassLoader> loaders, Form form) {
        }

        private final Entry[] entries = new Entry[SIZE];
        private int next;

        /** The form of this fingerprint and length decoded with {@code loaders}, or null. */
        synchronized Form find(long fingerprint, int length, List<ClassLoader> loaders) {
            for (Entry e : entries) {
                if (e != null && e.fingerprint == fingerprint && e.length == length && e.loaders.equals(loaders)) {
                    return e.form;
                }
            }
            return null;
        }

        /** Keeps {@code form}, forgetting the one kept longest when full. */
        synchronized void add(long fingerprint, int length, List<ClassLoader> loaders, Form form) {
            entries[next] = new Entry(fingerprint, length, new ArrayList<>(loaders), form);
            next = (next + 1) % SIZE;
        }
    }
}
