package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * A notebook kernel in miniature: JShell executing cells in this JVM, with a cell class loader made
 * like JJava's (a URLClassLoader under the system loader that defines cell classes from a private
 * map and serves none of them as resources). Cells reach test code through {@link Handoff}.
 */
public final class Cells implements AutoCloseable {
    private final CellLoader loader = new CellLoader();
    private final JShell shell;

    public Cells() {
        ExecutionControlProvider provider = new ExecutionControlProvider() {
            @Override
            public String name() {
                return "cells-like-jjava";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new LocalExecutionControl(new Delegate(loader));
            }
        };
        shell = JShell.builder().executionEngine(provider, Map.of()).build();
        shell.addToClasspath(classPath());
    }

    /** The class path cells compile against: the library, the tests, and what the tests use. */
    static String classPath() {
        return Stream.of(ClassBytes.class, Cells.class, org.objectweb.asm.ClassReader.class)
                .map(Cells::location).distinct().collect(Collectors.joining(File.pathSeparator));
    }

    static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one cell; fails the test if it does not compile or throws. */
    public void run(String cell) {
        List<SnippetEvent> events = shell.eval(cell);
        for (SnippetEvent e : events) {
            if (e.exception() != null) {
                fail("cell threw: " + cell, e.exception());
            }
            if (e.status() != Snippet.Status.VALID && e.causeSnippet() == null) {
                fail("cell is " + e.status() + ": " + cell + "\n" + shell.diagnostics(e.snippet())
                        .map(d -> d.getMessage(null)).collect(Collectors.joining("\n")));
            }
        }
    }

    /** The value of a Java expression evaluated in a cell, as an object of the cell's class. */
    @SuppressWarnings("unchecked")
    public <T> T value(String expression) {
        run("org.ipccourse.classes.Handoff.value = (" + expression + ");");
        Object v = Handoff.value;
        Handoff.value = null;
        return (T) v;
    }

    public ClassLoader loader() {
        return loader;
    }

    /** The binary names and class files of every class defined by cells so far. */
    public Map<String, byte[]> definedClasses() {
        return Map.copyOf(loader.declared);
    }

    @Override
    public void close() {
        shell.close();
    }

    static final class CellLoader extends URLClassLoader {
        final Map<String, byte[]> declared = new ConcurrentHashMap<>();

        CellLoader() {
            super(new URL[0]);
        }

        void addPath(URL url) {
            addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = declared.get(name);
            if (b == null) {
                return super.findClass(name);
            }
            return defineClass(name, b, 0, b.length, (java.security.CodeSource) null);
        }
    }

    private static final class Delegate implements LoaderDelegate {
        private final CellLoader loader;
        private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

        Delegate(CellLoader loader) {
            this.loader = loader;
        }

        @Override
        public void load(ExecutionControl.ClassBytecodes[] classes) throws ExecutionControl.ClassInstallException {
            for (ExecutionControl.ClassBytecodes c : classes) {
                loader.declared.put(c.name(), c.bytecodes());
            }
            boolean[] installed = new boolean[classes.length];
            try {
                for (int i = 0; i < classes.length; i++) {
                    loaded.put(classes[i].name(), loader.loadClass(classes[i].name()));
                    installed[i] = true;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ExecutionControl.ClassInstallException("cannot load: " + e, installed);
            }
        }

        @Override
        public void classesRedefined(ExecutionControl.ClassBytecodes[] classes) {
            for (ExecutionControl.ClassBytecodes c : classes) {
                loader.declared.put(c.name(), c.bytecodes());
            }
        }

        @Override
        public void addToClasspath(String path) throws ExecutionControl.InternalException {
            try {
                for (String p : path.split(File.pathSeparator)) {
                    loader.addPath(Path.of(p).toUri().toURL());
                }
            } catch (java.net.MalformedURLException e) {
                throw new ExecutionControl.InternalException(e.toString());
            }
        }

        @Override
        public Class<?> findClass(String name) throws ClassNotFoundException {
            Class<?> c = loaded.get(name);
            if (c == null) {
                throw new ClassNotFoundException(name);
            }
            return c;
        }
    }

    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(actual), what);
    }
}
