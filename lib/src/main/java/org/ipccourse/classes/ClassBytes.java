package org.ipccourse.classes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Finds the bytecode of a class the owner JVM has loaded, so that a worker JVM can define the same
 * class. The pool calls {@link #find} when a worker asks for a class it cannot find on its own
 * class path, with the class loader of the task that needs it.
 *
 * <pre>{@code
 * Optional<byte[]> bytes = ClassBytes.find("REPL.$JShell$14", task.getClass().getClassLoader());
 * }</pre>
 *
 * <p>Two sources, in this order: the class files recorded by {@link CellClassAgent} for classes
 * defined from memory (notebook cells; present when the JVM runs with
 * {@code -javaagent:ipc-course-lib.jar}), then the loader's resources, which cover classes loaded
 * from jars and directories. Costs: a map look-up per loader in the parent chain, or a resource
 * read.
 */
public final class ClassBytes {
    private ClassBytes() {
    }

    /**
     * Returns the class file of {@code binaryName} as {@code loader} sees it.
     *
     * @param binaryName a binary class name such as {@code com.example.Outer$Inner}
     * @param loader the loader to ask, or {@code null} for the system class loader
     * @return the bytes, or empty when neither the agent nor the loader can produce them
     */
    public static Optional<byte[]> find(String binaryName, ClassLoader loader) {
        ClassLoader source = loader != null ? loader : ClassLoader.getSystemClassLoader();
        for (ClassLoader l = source; l != null; l = l.getParent()) {
            byte[] recorded = DefinedClasses.get(l, binaryName);
            if (recorded != null) {
                return Optional.of(recorded.clone());
            }
        }
        String resource = binaryName.replace('.', '/') + ".class";
        try (InputStream in = source.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + resource, e);
        }
    }
}
