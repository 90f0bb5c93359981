package org.ipccourse.classes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notebook state as a worker JVM sees it: the reads and writes of static fields of cell classes
 * that {@link CellRewriter#forWorker} redirects here. A top-level notebook variable
 * ({@code int k = 5;}) is a static field of a class the kernel compiled for its cell, and a static
 * field of a class declared in a cell is another; in a worker, both hold nothing the kernel set.
 * Every read in a worker gets the kernel's value (as of the rules below) or fails its task with a
 * {@link NotebookStateException} naming the field.
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
 * <p><b>Static fields of classes declared in cells</b> are fetched from the kernel on first read
 * and then kept by the worker, the place for what each worker keeps for itself (a table, a cache
 * its tasks fill): tasks that later run in the same worker see the worker's copy, with whatever
 * the worker changed in it or assigned to the field, <em>as long as the kernel changes no such
 * field in between</em>. The kernel's changes are counted in a notebook-state epoch that every task
 * carries, taken at submit (for {@code map} and {@code imap}, at the call); a worker that receives
 * a task of another epoch than its copies were fetched under drops them all, its own assignments
 * included, so the task's first read of each field fetches the kernel's value again. So a task
 * never sees a value older than the kernel's at submit: a copy a worker kept under the task's epoch
 * is, apart from what the worker itself did to it, the kernel's value at submit (the epoch changes
 * with every change in the kernel, as listed next), and a value fetched at the task's first read is
 * the kernel's then (newer than at submit if the kernel changed it while the task waited). A new
 * epoch starts
 * <ul>
 *   <li>after an assignment, in the kernel, of a static field of a class declared in a cell,
 *       outside that class's own static initializer ({@code Config.level = 42;}, directly or in a
 *       cell method): the kernel's copy of every cell class is rewritten
 *       ({@link CellRewriter#forKernel}) to mark each one ({@link #kernelWrites});</li>
 *   <li>after a change to the <em>contents</em> of an object such a field holds, which is no
 *       assignment ({@code Config.names.add("alice")}, {@code Config.counts[1] = 5}, after a worker
 *       has read the field): at every submit ({@code submit}, {@code map}, {@code imap} and
 *       {@code invokeAll}: one check per call) the pool compares each such value it sent to a
 *       worker with the kernel's now, a primitive array with the copy the pool kept of it, any
 *       other value by encoding it again and comparing checksums, and starts a new epoch when one
 *       differs. So this holds within one cell too: a loop that changes a list between two
 *       submits sends the changed list to the second task.</li>
 * </ul>
 * Assigning a top-level variable starts none (those are fetched per task anyway), so ordinary
 * cells leave the workers' caches alone. A field the pool's initializer assigns
 * ({@code ProcessPool.Builder.initializer}) is the worker's own for good: that is what an
 * initializer is for. The fields the JVM needs as they are stay local throughout: enum constants,
 * {@code $VALUES}, and the compiler's synthetic fields (switch tables, {@code $assertionsDisabled});
 * so does a {@code static final} field whose kernel value cannot be serialized (a lock object, a
 * logger), which keeps the value the worker's own initializer gave it.
 *
 * <p>Costs: a read answered from the task's copy is a method call and two map look-ups (a few
 * nanoseconds); the first read of a field in a task (a notebook variable) or in an epoch (a
 * class's field) is a round trip to the kernel plus the value's serialization both ways, its size
 * in bytes counted by the pool ({@code bench/} prints it). In the kernel, an assignment of a
 * class's static field costs one extra plain store, the mark: no difference measurable in a
 * JIT-compiled tight loop, a static call (about 0.1 us) while the loop is interpreted
 * ({@code bench/}'s {@code StaticWriteCost} measures it). A submit reads the mark (an atomic swap
 * when it is set); once the pool has sent a changeable value of a class's field (not a String,
 * boxed primitive or enum constant), every submit also checks each such value: a primitive array
 * is compared with the pool's copy of it at memory speed, any other value is encoded once more,
 * about what its fetch cost the kernel ({@code ProcessPool.notebookStateCheckNanos} adds the time
 * up; {@code StaticWriteCost} prints it per submit). An argument captured by the task's lambda costs no extra round trip, which is why
 * passing values stays the cheaper way.
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
    private static final VarHandle CHANGED;
    private static final AtomicLong KERNEL_EPOCH = new AtomicLong();
    /**
     * Kernel side: a static field of a cell class was assigned since the last {@link #epoch()}.
     * Written plainly by cell code (a tight loop pays one store), cleared atomically.
     */
    @SuppressWarnings("unused") // through CHANGED and kernelWrites()
    private static boolean changed;
    private static volatile Fetcher fetcher;
    private static volatile long task;
    /** Worker side, before the first task: the pool's initializer runs. */
    private static final long INITIALIZER = Long.MIN_VALUE;
    /** Worker side: the kernel epoch of the running task, under which class fields are kept. */
    private static volatile long epoch = INITIALIZER;

    static {
        try {
            CHANGED = MethodHandles.lookup().findStaticVarHandle(NotebookState.class, "changed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NotebookState() {
    }

    /** Sets how this JVM fetches values from the kernel (a worker does this once). */
    public static void install(Fetcher f) {
        fetcher = f;
    }

    /**
     * Kernel side, called by cell code right after it assigns a static field of a class declared
     * in a cell ({@link CellRewriter#forKernel} inserts the call): the next {@link #epoch()} is a
     * new one. Costs one plain store.
     */
    public static void kernelWrites() {
        changed = true;
    }

    /**
     * Kernel side: the notebook-state epoch a task submitted now carries. It is a new number after
     * every {@link #kernelWrites}, the same otherwise; a write by another thread is seen if it
     * happens-before this call (a thread that was joined, a value handed over through a queue).
     */
    public static long epoch() {
        boolean marked = (boolean) CHANGED.getOpaque() && (boolean) CHANGED.getAndSet(false); // no swap when unmarked
        return marked ? KERNEL_EPOCH.incrementAndGet() : KERNEL_EPOCH.get();
    }

    /**
     * Worker side: starts a new task submitted in the kernel's {@code epoch}. Notebook variables
     * fetched for the previous task are fetched again when read; static fields of classes are kept
     * if the epoch is the one they were fetched (or assigned) under, and fetched again otherwise.
     */
    public static void beginTask(long kernelEpoch) {
        task++;
        epoch = kernelEpoch;
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
        if (slot.alwaysLocal) {
            return slot.readLocal();
        }
        long current = slot.perTask ? task : epoch; // a class's field: one copy per kernel epoch
        if (slot.ownedIn == current) {
            return slot.readLocal(); // the worker assigned it under this epoch
        }
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
     * own until the kernel's epoch changes, so later reads see what the worker assigned.
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
        if (!slot.alwaysLocal) {
            slot.getter();
            if (epoch == INITIALIZER) {
                slot.alwaysLocal = true; // what the pool's initializer set up is the worker's for good
            } else {
                slot.ownedIn = epoch;
            }
        }
    }

    /** Whether {@code className} is the class JShell made for one cell's top-level code. */
    public static boolean isNotebookVariable(String className) {
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
        /** The JVM keeps this field locally (enum constants, synthetic fields, unserializable finals). */
        volatile boolean alwaysLocal;
        /** The epoch under which the worker assigned this class field; reads then see the worker's own. */
        volatile long ownedIn = INITIALIZER + 1; // no epoch: kernel epochs are never negative
        /** Reads the worker's own field; made on first need. */
        private volatile MethodHandle local;
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
                slot.getter();
                slot.alwaysLocal = true;
            }
            return slot;
        }

        MethodHandle getter() {
            MethodHandle g = local;
            if (g != null) {
                return g;
            }
            try {
                field.setAccessible(true);
                g = MethodHandles.lookup().unreflectGetter(field);
            } catch (IllegalAccessException | RuntimeException e) {
                throw new NotebookStateException("cannot read " + describe(declaringClass, name) + " in the worker: " + e);
            }
            local = g;
            return g;
        }

        Object readLocal() {
            try {
                return getter().invoke();
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
                    getter();
                    alwaysLocal = true; // a lock or a logger: the worker's own initializer made one
                    return readLocal();
                }
                throw e;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new NotebookStateException("could not fetch " + describe(declaringClass, name)
                        + " from the kernel: " + e, e);
            }
        }
    }

    private record Copy(long task, Object value) {
    }
}
