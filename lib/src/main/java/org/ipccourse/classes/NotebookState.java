package org.ipccourse.classes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notebook state as a worker JVM sees it: the reads and writes of static fields of cell classes
 * that {@link CellRewriter#forWorker} redirects here. A top-level notebook variable
 * ({@code int k = 5;}) is a static field of a class the kernel compiled for its cell, and a static
 * field of a class declared in a cell is another; in a worker, both hold nothing the kernel set.
 *
 * <p><b>Top-level notebook variables.</b> A task sees the kernel's value at the moment it first
 * reads the variable in the worker, fetched over the worker's pipe as class bytes are. The task
 * keeps that copy for the rest of its run (every later read in the same task, or the same
 * {@code map} chunk, is answered from it), so a variable never changes under a running task; the
 * next task fetches again, so it sees what a cell assigned in between. Not at submit: which
 * fields a task may read cannot be known before it runs (a read can hide behind an interface
 * call), and most tasks read few of them. A value travels as a copy, like a task's arguments.
 * Assigning a notebook variable in a worker fails the task ({@link #assigning}): the kernel's
 * variable would not change.
 *
 * <p><b>Static fields of classes declared in cells</b> are per-JVM state, the place for what each
 * worker keeps for itself (a table its initializer builds, a cache). A worker starts them from the
 * kernel: its first read of such a field, before the worker has assigned it, fetches the kernel's
 * value, and from then on that worker keeps its own copy (it may change it; tasks that later run
 * in the same worker see the change). A field the worker assigns first (as an initializer does)
 * is the worker's own from the start. A change the kernel makes after a worker has read the field
 * does not reach that worker: create a new pool, or pass the value as an argument. The fields the
 * JVM needs as they are stay local throughout: enum constants, {@code $VALUES}, and the
 * compiler's synthetic fields (switch tables, {@code $assertionsDisabled}); so does a
 * {@code static final} field whose kernel value cannot be serialized (a lock object, a logger),
 * which keeps the value the worker's own initializer gave it.
 *
 * <p>Costs: a read answered from the task's copy is a method call and two map look-ups (a few
 * nanoseconds); the first read of a field in a task is a round trip to the kernel plus the value's
 * serialization both ways, its size in bytes counted by the pool ({@code bench/} prints it). An
 * argument captured by the task's lambda costs no extra round trip, which is why passing values
 * stays the cheaper way.
 */
public final class NotebookState {
    /** How a worker asks the kernel for a field's value; installed by the worker at start. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * The kernel's value of {@code field}, a static field declared by {@code className}.
         *
         * @throws NotebookStateException when the kernel cannot send it (it names the field)
         */
        Object fetch(String className, String field) throws Exception;
    }

    private static final ClassValue<Map<String, Slot>> SLOTS = new ClassValue<>() {
        @Override
        protected Map<String, Slot> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };
    private static volatile Fetcher fetcher;
    private static volatile long task;

    private NotebookState() {
    }

    /** Sets how this JVM fetches values from the kernel (a worker does this once). */
    public static void install(Fetcher f) {
        fetcher = f;
    }

    /** Starts a new task: values fetched for the previous one are fetched again when read. */
    public static void beginTask() {
        task++;
    }

    /**
     * The value of static field {@code name} as seen through {@code owner} (the class the
     * bytecode names; the field may be inherited): the kernel's value, or the worker's own for
     * fields the JVM keeps locally.
     *
     * @throws NotebookStateException when the kernel's value cannot be fetched
     */
    public static Object read(Class<?> owner, String name) {
        Slot slot = SLOTS.get(owner).computeIfAbsent(name, n -> Slot.of(owner, n));
        if (slot.local != null) {
            return slot.readLocal();
        }
        long current = slot.perTask ? task : 0; // a class's field: one copy for the JVM's life
        Copy copy = slot.copy;
        if (copy != null && copy.task == current) {
            return copy.value;
        }
        synchronized (slot) {
            copy = slot.copy;
            if (copy == null || copy.task != current) {
                copy = new Copy(current, slot.fetch());
                slot.copy = copy;
            }
            return copy.value;
        }
    }

    /**
     * Called before a worker assigns static field {@code name} of a cell class: fails the task for
     * a top-level notebook variable; makes a static field of a class declared in a cell this JVM's
     * own, so later reads see what the worker assigned.
     *
     * @throws NotebookStateException for a notebook variable, saying to return the value instead
     */
    public static void assigning(Class<?> owner, String name) {
        String declaring = declaring(owner, name);
        if (isNotebookVariable(declaring)) {
            throw new NotebookStateException("The task assigns " + describe(declaring, name)
                    + ", but a worker cannot change the kernel's notebook state: only the worker's copy would change."
                    + " Return the value from the task instead and assign it in the kernel, as in"
                    + " `long pid = pool.submit(() -> ProcessHandle.current().pid()).get();`");
        }
        Slot slot = SLOTS.get(owner).computeIfAbsent(name, n -> Slot.of(owner, n));
        if (slot.local == null) {
            slot.useLocal();
        }
    }

    /** Whether {@code className} is the class JShell made for one cell's top-level code. */
    static boolean isNotebookVariable(String className) {
        return className.startsWith("REPL.$JShell$") && className.indexOf('$', "REPL.$JShell$".length()) < 0;
    }

    /** "notebook variable `k`" for a top-level variable, "static field `Config.level`" for a class's. */
    public static String describe(String className, String field) {
        int wrapperEnd = className.indexOf('$', "REPL.$JShell$".length());
        if (className.startsWith("REPL.$JShell$") && wrapperEnd < 0) {
            return "notebook variable `" + field + "`";
        }
        String simple = wrapperEnd < 0 ? className.substring(className.lastIndexOf('.') + 1)
                : className.substring(wrapperEnd + 1).replace('$', '.');
        return "static field `" + simple + "." + field + "`";
    }

    private static String declaring(Class<?> owner, String name) {
        Field f = find(owner, name);
        return f != null ? f.getDeclaringClass().getName() : owner.getName();
    }

    /** The static field {@code name} of {@code owner}, its superclasses or interfaces, or null. */
    private static Field find(Class<?> owner, String name) {
        Deque<Class<?>> pending = new ArrayDeque<>();
        pending.add(owner);
        while (!pending.isEmpty()) {
            Class<?> c = pending.poll();
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name) && Modifier.isStatic(f.getModifiers())) {
                    return f;
                }
            }
            if (c.getSuperclass() != null) {
                pending.add(c.getSuperclass());
            }
            pending.addAll(java.util.List.of(c.getInterfaces()));
        }
        return null;
    }

    /** One field as read in this JVM. */
    private static final class Slot {
        final Field field;
        final String declaringClass;
        final String name;
        final boolean isFinal;
        /** A notebook variable, fetched per task; else a class's field, fetched once per JVM. */
        final boolean perTask;
        /** The worker's own field, for fields the JVM keeps locally; null for fields read from the kernel. */
        volatile MethodHandle local;
        volatile Copy copy;

        private Slot(Field field) {
            this.field = field;
            this.declaringClass = field.getDeclaringClass().getName();
            this.name = field.getName();
            this.isFinal = Modifier.isFinal(field.getModifiers());
            this.perTask = isNotebookVariable(declaringClass);
        }

        static Slot of(Class<?> owner, String name) {
            Field f = find(owner, name);
            if (f == null) {
                throw new NotebookStateException("the task reads " + describe(owner.getName(), name)
                        + ", which the worker's copy of " + owner.getName() + " does not have");
            }
            Slot slot = new Slot(f);
            boolean keptLocally = f.isSynthetic() || f.isEnumConstant()
                    || (f.getDeclaringClass().isEnum() && name.equals("$VALUES"));
            if (keptLocally) {
                slot.useLocal();
            }
            return slot;
        }

        void useLocal() {
            try {
                field.setAccessible(true);
                local = MethodHandles.lookup().unreflectGetter(field);
            } catch (IllegalAccessException | RuntimeException e) {
                throw new NotebookStateException("cannot read " + describe(declaringClass, name) + " in the worker: " + e);
            }
        }

        Object readLocal() {
            try {
                return local.invoke();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        Object fetch() {
            Fetcher f = fetcher;
            if (f == null) {
                throw new NotebookStateException("the task reads " + describe(declaringClass, name)
                        + ", but this JVM has no kernel to fetch it from");
            }
            try {
                return f.fetch(declaringClass, name);
            } catch (NotebookStateException e) {
                if (isFinal && e.notSerializable()) {
                    return localFinal(); // a lock or a logger: the worker's own initializer made one
                }
                throw e;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new NotebookStateException("could not fetch " + describe(declaringClass, name)
                        + " from the kernel: " + e, e);
            }
        }

        private Object localFinal() {
            try {
                field.setAccessible(true);
                return field.get(null); // initializes the worker's copy of the class first
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new NotebookStateException("cannot read " + describe(declaringClass, name) + " in the worker: " + e);
            }
        }
    }

    private record Copy(long task, Object value) {
    }
}
