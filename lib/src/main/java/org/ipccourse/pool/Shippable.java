package org.ipccourse.pool;

import java.io.Serializable;
import java.security.CodeSource;
import java.util.Objects;

/**
 * What the pool checks before it serializes a task, and the advice it gives when a value cannot
 * be serialized. Each message says what to write instead, in code that compiles in a notebook of
 * the course (whose kernel imports {@code org.ipccourse.pool.*}); advice to implement
 * {@link Serializable} is given only for classes the user can change (declared in a cell, or
 * loaded from a directory of classes rather than from the JDK or a jar).
 *
 * <p>Costs: a few type tests per submit.
 */
final class Shippable {
    private Shippable() {
    }

    /** Throws when {@code task} can never be sent, with what to write instead. */
    static <U> U require(U task, String what) {
        Objects.requireNonNull(task, what + " must not be null");
        Class<?> type = task.getClass();
        if (type.getName().startsWith("java.util.concurrent.CompletableFuture$")) {
            throw new IllegalArgumentException("CompletableFuture's *Async(..., pool) methods hand the pool"
                    + " CompletableFuture's own task object, which holds the future and cannot be sent to a worker"
                    + " JVM. Submit the work to the pool itself, which returns a CompletableFuture:"
                    + " `CompletableFuture<Long> pid = ((ProcessPool) pool).submit(() -> ProcessHandle.current().pid());`"
                    + " (with your pool's variable for `pool`), then chain thenApply, thenCombine or join on it.");
        }
        if (task instanceof Serializable) {
            return task;
        }
        if (type.isSynthetic() && type.getName().contains("$$Lambda")) {
            throw new IllegalArgumentException(what + " is a lambda of a type that is not Serializable ("
                    + functionalInterface(type) + "), and it was not written in a notebook cell (cells make their"
                    + " lambdas serializable), so it cannot be sent to a worker JVM. Give it a serializable type:"
                    + " `SerializableCallable<Long> task = () -> ProcessHandle.current().pid();`");
        }
        if (type.isAnonymousClass() || type.getName().contains("$JShell$anonymous$")) { // JShell names its anonymous classes
            throw new IllegalArgumentException(what + " is an anonymous class (" + type.getName() + ") that is not"
                    + " Serializable, so it cannot be sent to a worker JVM. Write it as a lambda instead:"
                    + " `pool.submit(() -> ProcessHandle.current().pid())`.");
        }
        throw new IllegalArgumentException(what + " (a " + type.getName() + ") cannot be sent to a worker JVM: "
                + type.getName() + " is not Serializable. " + advice(type));
    }

    /** The message for a value inside a task that Java serialization refused. */
    static String notSerializable(String what, String offending, ClassLoader loader) {
        return what + " cannot be sent to a worker: " + offending + " is not Serializable (the task holds one). "
                + advice(load(offending, loader));
    }

    private static String advice(Class<?> type) {
        if (type != null && userCanChange(type)) {
            return "Declare " + type.getSimpleName() + " with `implements java.io.Serializable`, or capture only the"
                    + " values the task needs (numbers, Strings, Lists, records).";
        }
        return "It is a JDK or library class, which cannot be made Serializable: copy what the task needs out of"
                + " it into Serializable values (numbers, Strings, Lists, records) and capture those, or create the"
                + " object inside the task.";
    }

    private static boolean userCanChange(Class<?> type) {
        if (type.getName().startsWith("REPL.")) {
            return true;
        }
        if (type.getClassLoader() == null || type.getName().startsWith("java.") || type.getName().startsWith("javax.")
                || type.getName().startsWith("jdk.") || type.getName().startsWith("sun.")) {
            return false;
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source != null && source.getLocation() != null && !source.getLocation().getPath().endsWith(".jar");
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader != null ? loader : ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static String functionalInterface(Class<?> lambda) {
        Class<?>[] interfaces = lambda.getInterfaces();
        return interfaces.length > 0 ? interfaces[0].getName() : lambda.getName();
    }
}
