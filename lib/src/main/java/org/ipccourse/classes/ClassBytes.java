package org.ipccourse.classes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Finds the bytecode of a class the owner JVM has loaded, so that a worker JVM can define the same
 * class. The pool calls this when a worker asks for a class it cannot find on its own classpath.
 *
 * <p>This first version asks the class loader for the class file as a resource, which works for
 * classes loaded from jars and directories. Classes defined from bytes in memory (notebook cells)
 * are not served as resources; a later version adds a source for those.
 */
public final class ClassBytes {
    private ClassBytes() {
    }

    /**
     * Returns the class file of {@code binaryName} as {@code loader} sees it.
     *
     * @param binaryName a binary class name such as {@code com.example.Outer$Inner}
     * @param loader the loader to ask, or {@code null} for the system class loader
     * @return the bytes, or empty when the loader cannot produce them
     */
    public static Optional<byte[]> find(String binaryName, ClassLoader loader) {
        ClassLoader source = loader != null ? loader : ClassLoader.getSystemClassLoader();
        String resource = binaryName.replace('.', '/') + ".class";
        try (InputStream in = source.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + resource, e);
        }
    }
}
