package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.ObjectName;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Classes the worker lacks are fetched from the owner; the deserialization filter guards both sides. */
@Timeout(60)
class ClassShippingTest {
    static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    /** A loader that defines classes from bytes in memory, like a notebook kernel does. */
    static final class InMemoryLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        InMemoryLoader(Map<String, byte[]> classes) {
            super("in-memory", ClassShippingTest.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] b = name.endsWith(".class") ? classes.get(name.substring(0, name.length() - 6).replace('/', '.')) : null;
            return b != null ? new ByteArrayInputStream(b) : super.getResourceAsStream(name);
        }
    }

    /** Compiles the sources to bytes in memory (the temporary directory is only the compiler's). */
    static Map<String, byte[]> compile(Path dir, Map<String, String> sources) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path out = Files.createDirectories(dir.resolve("out"));
        String[] args = new String[sources.size() + 4];
        int i = 0;
        args[i++] = "-d";
        args[i++] = out.toString();
        args[i++] = "-cp";
        args[i++] = System.getProperty("java.class.path");
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey() + ".java");
            Files.writeString(file, e.getValue());
            args[i++] = file.toString();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args), "compilation failed");
        Map<String, byte[]> classes = new HashMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path p : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = out.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                classes.put(name, Files.readAllBytes(p));
            }
        }
        return classes;
    }

    @Test
    void taskClassDefinedOnlyInAnOwnerLoaderRunsInTheWorker(@TempDir Path dir) throws Exception {
        Map<String, byte[]> classes = compile(dir, Map.of(
                "Box", "package cells; public record Box(String text, String loader) implements java.io.Serializable {}",
                "Greet", "package cells; public class Greet implements org.ipccourse.pool.SerializableCallable<Object> {"
                        + " public Object call() { return new Box(\"hello from \" + ProcessHandle.current().pid(),"
                        + " getClass().getClassLoader().getName()); } }"));
        InMemoryLoader loader = new InMemoryLoader(classes);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("cells.Greet", false, getClass().getClassLoader()));
        @SuppressWarnings("unchecked")
        SerializableCallable<Object> task = (SerializableCallable<Object>) loader.loadClass("cells.Greet")
                .getDeclaredConstructor().newInstance();

        Object box = pool.submit(task).get(20, TimeUnit.SECONDS);

        assertEquals(loader, box.getClass().getClassLoader(), "the result is read with the task's loader");
        assertEquals("Box[text=hello from " + pool.workerPids().get(0) + ", loader=ipc-pool-remote]", box.toString());
    }

    @Test
    void resultOfADeniedClassIsRejectedByTheOwnerWithAClearMessage() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(() -> new ObjectName("course:type=Pool")).get(20, TimeUnit.SECONDS));
        InvalidClassException rejected = assertInstanceOf(InvalidClassException.class, e.getCause());
        assertTrue(rejected.getMessage().contains("javax.management.ObjectName")
                && rejected.getMessage().contains("deserialization filter")
                && rejected.getMessage().contains(".deserializationFilter(\"javax.management.ObjectName\")"),
                rejected.getMessage());
    }

    @Test
    void taskCapturingADeniedClassIsRejectedByTheWorker() throws Exception {
        ObjectName name = new ObjectName("course:type=Pool");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(() -> name.getDomain()).get(20, TimeUnit.SECONDS));
        InvalidClassException rejected = assertInstanceOf(InvalidClassException.class, e.getCause());
        assertTrue(rejected.getMessage().contains("class javax.management.ObjectName is rejected"), rejected.getMessage());
        assertEquals(2, pool.submit(() -> 2).get(20, TimeUnit.SECONDS), "the pool is still usable");
    }

    @Test
    void aUserPatternAdmitsADeniedClassOnBothSides() throws Exception {
        ObjectName name = new ObjectName("course:type=Pool");
        try (ProcessPool admitting = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx64m"))
                .deserializationFilter("javax.management.ObjectName").build()) {
            assertEquals(name, admitting.submit(() -> name).get(20, TimeUnit.SECONDS));
        }
    }
}
