package org.ipccourse.classes;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The class files {@link CellClassAgent} saw being defined from memory, by defining loader and
 * binary name. A loader's entries go away with the loader (weak keys); the bytes never refer back
 * to it.
 *
 * <p>There is one registry per JVM as long as this class is loaded once, by the system class
 * loader: the agent jar is always on the system class path, and the kernel also puts the lib jar
 * there, so the agent and {@link ClassBytes} (called by the pool) resolve to the same class. A copy
 * of the lib jar in a child loader that delegates parent-first (JJava's cell loader does) resolves
 * to the system loader's class as well.
 */
final class DefinedClasses {
    private static final Map<ClassLoader, Map<String, byte[]>> BY_LOADER = new WeakHashMap<>();

    private DefinedClasses() {
    }

    static void record(ClassLoader loader, String binaryName, byte[] classFile) {
        synchronized (BY_LOADER) {
            BY_LOADER.computeIfAbsent(loader, l -> new HashMap<>()).put(binaryName, classFile);
        }
    }

    /** The bytes recorded for {@code binaryName} as defined by {@code loader} itself, or null. */
    static byte[] get(ClassLoader loader, String binaryName) {
        synchronized (BY_LOADER) {
            Map<String, byte[]> classes = BY_LOADER.get(loader);
            return classes == null ? null : classes.get(binaryName);
        }
    }

    /** How many live loaders have recorded classes (for tests of the weak keys). */
    static int loaderCount() {
        synchronized (BY_LOADER) {
            return BY_LOADER.size();
        }
    }
}
