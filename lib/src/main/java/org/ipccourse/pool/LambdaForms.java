package org.ipccourse.pool;

import java.io.IOException;
import java.lang.reflect.Constructor;
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

    /**
     * A decoded form: what {@link SerializedLambda} needs besides the captured values, and how
     * instances are rebuilt ({@link #rebuild}). The first rebuild calls the capturing class's
     * {@code $deserializeLambda$}, as Java serialization would; it answers with an instance of the
     * lambda class its own call site spun, and later rebuilds make instances of that same class
     * directly: its constructor with the captured values (in the order {@code writeReplace} gave
     * them), or, for a lambda that captures nothing, the one instance the call site always returns.
     *
     * <p>Why: {@code $deserializeLambda$} compares six strings of the {@link SerializedLambda}
     * with each of the class's lambdas before it makes one, and a fresh worker runs that code in
     * the compiler's first, profiling tier for thousands of tasks: with every method kept in that
     * tier ({@code -XX:TieredStopAtLevel=3} in owner and worker) it was 15% of the worker's
     * samples of Java code. When the class is not one the JDK's lambda factory spun as expected
     * (not hidden, or not exactly one constructor of that arity), every rebuild goes through
     * {@code $deserializeLambda$}.
     */
    static final class Form {
        final Class<?> capturing;
        final String interfaceClass;
        final String interfaceMethod;
        final String interfaceSignature;
        final int implKind;
        final String implClass;
        final String implMethod;
        final String implSignature;
        final String instantiated;
        private final MethodHandle deserializeLambda;
        /** Set by the first rebuild: how later ones make an instance. */
        private volatile Shortcut shortcut;

        Form(Class<?> capturing, String interfaceClass, String interfaceMethod, String interfaceSignature,
                int implKind, String implClass, String implMethod, String implSignature, String instantiated,
                MethodHandle deserializeLambda) {
            this.capturing = capturing;
            this.interfaceClass = interfaceClass;
            this.interfaceMethod = interfaceMethod;
            this.interfaceSignature = interfaceSignature;
            this.implKind = implKind;
            this.implClass = implClass;
            this.implMethod = implMethod;
            this.implSignature = implSignature;
            this.instantiated = instantiated;
            this.deserializeLambda = deserializeLambda;
        }

        /** Whether rebuilds after the first make their instance without {@code $deserializeLambda$}. */
        boolean rebuildsDirectly() {
            Shortcut known = shortcut;
            return known != null && known.arity >= 0;
        }

        /** A lambda of this form capturing {@code captured}; throws what the rebuild threw. */
        Object rebuild(Object[] captured) throws Throwable {
            Shortcut known = shortcut;
            if (known != null && known.arity == captured.length) {
                return known.make(captured);
            }
            Object made = (Object) deserializeLambda.invokeExact(new SerializedLambda(capturing, interfaceClass,
                    interfaceMethod, interfaceSignature, implKind, implClass, implMethod, implSignature,
                    instantiated, captured));
            if (known == null) {
                shortcut = Shortcut.learn(made, captured.length);
            }
            return made;
        }
    }

    /**
     * How a form's later instances are made: the lambda class's constructor, through core
     * reflection, or its one instance. Reflection, not a method handle: a handle adapted to take
     * an {@code Object[]} ({@code asType}, {@code asSpreader}) spun new lambda-form classes, 9-17
     * ms in a fresh JVM, which a fresh pool's first task waited for (task 1 36-48 ms against
     * 14-20). JDK 17 calls a hidden class's constructor through its native accessor, with no class
     * spun and never an accessor generated later (0.2 ms for the first call in a JVM); JDK 18 and
     * later reflect through method handles, spun at the first call in a JVM (10-12 ms on JDK 25)
     * and per new shape of captured values (0.1-3.5 ms), which the worker's warm-up pays for its
     * own task's shape ({@link WarmUp#worker}). Measured on JDK 17 with every method kept in the
     * profiling tier ({@code -XX:TieredStopAtLevel=3}), a task's decode took 0.82 µs this way,
     * 0.59 µs with the handle and 1.59 µs through {@code $deserializeLambda$}; fully compiled,
     * 0.17 µs this way against 0.12 µs: 0.05 µs of the steady round trip, for 0.8 µs while a
     * fresh pool's path is in that tier.
     */
    private static final class Shortcut {
        static final Shortcut NONE = new Shortcut(-1, null, null);

        /** Captured values the shortcut takes; -1: none learned, every rebuild deserializes. */
        final int arity;
        private final Constructor<?> constructor; // or null
        private final Object onlyInstance;

        private Shortcut(int arity, Constructor<?> constructor, Object onlyInstance) {
            this.arity = arity;
            this.constructor = constructor;
            this.onlyInstance = onlyInstance;
        }

        Object make(Object[] captured) throws ReflectiveOperationException {
            return constructor == null ? onlyInstance : constructor.newInstance(captured);
        }

        static Shortcut learn(Object made, int arity) {
            Class<?> type = made.getClass();
            if (!type.isHidden() || !type.isSynthetic()) {
                return NONE;
            }
            if (arity == 0) {
                return new Shortcut(0, null, made);
            }
            try {
                Constructor<?>[] constructors = type.getDeclaredConstructors();
                if (constructors.length != 1 || constructors[0].getParameterCount() != arity) {
                    return NONE;
                }
                constructors[0].setAccessible(true);
                return new Shortcut(arity, constructors[0], null);
            } catch (RuntimeException e) {
                return NONE; // e.g. a module that is not open
            }
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

        /** The forms kept, in no particular order. */
        synchronized List<Form> forms() {
            List<Form> kept = new ArrayList<>();
            for (Entry e : entries) {
                if (e != null) {
                    kept.add(e.form);
                }
            }
            return kept;
        }

        /** Keeps {@code form}, forgetting the one kept longest when full. */
        synchronized void add(long fingerprint, int length, List<ClassLoader> loaders, Form form) {
            entries[next] = new Entry(fingerprint, length, new ArrayList<>(loaders), form);
            next = (next + 1) % SIZE;
        }
    }
}
